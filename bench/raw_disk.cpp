#include "bench/raw_disk.h"

#include <fcntl.h>

#include "bench/payload.h"
#include "fileio/file.h"
#include "raftlog/tail_writer.h"

namespace raftvault::bench {

void raw_disk_run::merge(const raw_disk_run& other) {
  write_and_sync.merge(other.write_and_sync);
  sync_only.merge(other.sync_only);
  blocks += other.blocks;
  bytes += other.bytes;
  seconds += other.seconds;
}

result<raw_disk_run> measure_raw_disk(scratch_dir& scratch, const std::string& file_name,
                                      raw_io io, std::uint64_t block_size,
                                      std::uint64_t max_blocks,
                                      std::chrono::steady_clock::duration max_time,
                                      std::uint64_t min_blocks) {
  using clock_type = std::chrono::steady_clock;
  const std::string path = scratch.path() + "/" + file_name;
  RV_ASSIGN(auto f, fileio::file::open(path, O_WRONLY | O_CREAT | O_EXCL, fileio::kPrivateFileMode));
  scratch.remove_at_end(path);
  RV_TRY(f.preallocate(0, block_size * max_blocks));
  RV_TRY(f.fsync());
  RV_TRY(fileio::fsync_dir(scratch.path()));
  raftlog::tail_writer writer(io == raw_io::direct);
  RV_TRY(writer.attach(f, 0));
  if (io == raw_io::direct && !writer.direct())
    return error(errc::io, path + ": the file system does not take O_DIRECT writes");

  const std::string block = make_payload(block_size);
  raw_disk_run out;
  const auto start = clock_type::now();
  const bool timed = max_time != clock_type::duration::max();
  const auto deadline = timed ? start + max_time : clock_type::time_point::max();
  for (std::uint64_t i = 0; i < max_blocks; ++i) {
    const auto write_start = clock_type::now();
    if (i >= min_blocks && write_start >= deadline) break;
    RV_TRY(writer.write(f, block, i * block_size));
    const auto sync_start = clock_type::now();
    RV_TRY(f.fdatasync());
    const auto done = clock_type::now();
    out.write_and_sync.record(done - write_start);
    out.sync_only.record(done - sync_start);
    ++out.blocks;
  }
  out.seconds = std::chrono::duration<double>(clock_type::now() - start).count();
  out.bytes = out.blocks * block_size;
  RV_TRY(f.close());
  return out;
}

}  // namespace raftvault::bench
