#include "bench/pipeline_common.h"

#include <algorithm>

#include "bench/payload.h"
#include "codec/raft_codec.h"
#include "codec/wal_record.h"
#include "fileio/file.h"

namespace raftvault::bench {

// The WAL bytes of one append request: its sealed entries and its hard state, framed.
result<std::uint64_t> append_record_bytes(const raftlog::payload_codec& codec,
                                          const pipeline_options& o) {
  std::vector<entry> batch(static_cast<std::size_t>(o.batch));
  for (std::size_t i = 0; i < batch.size(); ++i) batch[i] = {1, i + 1, entry_type::normal, make_payload(o.size)};
  RV_ASSIGN(auto sealed, codec.seal_entries(batch));
  std::string frames;
  for (const auto& e : sealed)
    codec::append_frame(codec::record_type::entry, 0xffffffffu, codec::encode_entry(e), true, frames);
  codec::append_frame(codec::record_type::state, 0xffffffffu,
                      codec::encode_hard_state({1, 1, 1u << 20}), true, frames);
  return frames.size();
}

// The disk alone, for about `budget`, into a file removed right after.
result<raw_disk_run> measure_disk(scratch_dir& scratch, const std::string& name, raw_io io,
                                  std::uint64_t block, clock_type::duration budget) {
  const std::uint64_t max_blocks = std::clamp<std::uint64_t>((256ull << 20) / block, 64, 8192);
  auto run = measure_raw_disk(scratch, name, io, block, max_blocks, budget, 16);
  (void)fileio::unlink(scratch.path() + "/" + name);
  return run;
}

}  // namespace raftvault::bench
