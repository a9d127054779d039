#include "bench/recovery.h"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <vector>

#include "actors/pipeline.h"
#include "bench/bench_codec.h"
#include "bench/ceiling.h"
#include "bench/payload.h"
#include "fileio/file.h"
#include "raftlog/store_layout.h"

namespace raftvault::bench {
namespace {

using clock_type = std::chrono::steady_clock;

// Drops the page cache (clean pages only, so sync first): every later read goes to the disk.
status drop_page_cache() {
  ::sync();
  RV_ASSIGN(auto f, fileio::file::open("/proc/sys/vm/drop_caches", O_WRONLY));
  RV_TRY(f.write_all(std::string_view("3\n")));
  return f.close();
}

// One restart: open the keys and the log, decrypting every entry -> seconds.
result<double> timed_open(const actors::pipeline_options& options, std::uint64_t expected_entries) {
  const auto start = clock_type::now();
  RV_ASSIGN(auto store, actors::open_store(options));
  const double seconds = std::chrono::duration<double>(clock_type::now() - start).count();
  if (store.recovered.entries.size() != expected_entries)
    return error(errc::corruption, options.data_dir + ": read " + std::to_string(store.recovered.entries.size()) +
                                    " entries back, wrote " + std::to_string(expected_entries));
  RV_TRY(store.log->close());
  return seconds;
}

}  // namespace

result<recovery_measurement> measure_recovery(scratch_dir& scratch, const recovery_options& o) {
  recovery_measurement m;
  actors::pipeline_options options;
  options.data_dir = scratch.path() + "/recovery-store";
  options.create_if_missing = true;
  options.cipher = codec_cipher(o.cipher);
  if (fileio::exists(options.data_dir))
    return error(errc::invalid_argument, options.data_dir + " exists: the bench writes a fresh store");
  scratch.remove_at_end(options.data_dir);
  {
    RV_ASSIGN(auto store, actors::open_store(options));
    // Saves of about 4 MiB, each sealed and made durable, as a node catching up writes them.
    const std::uint64_t per_save = std::max<std::uint64_t>(1, (4ull << 20) / o.size);
    const std::uint64_t total = std::max<std::uint64_t>(1, o.store_size / o.size);
    std::vector<entry> batch(static_cast<std::size_t>(std::min(per_save, total)));
    const std::string payload = make_payload(o.size);
    for (auto& e : batch) {
      e.term = 1;
      e.data = payload;
    }
    const auto start = clock_type::now();
    for (std::uint64_t next = 1; next <= total;) {
      const std::uint64_t n = std::min<std::uint64_t>(batch.size(), total - next + 1);
      batch.resize(static_cast<std::size_t>(n));
      for (std::uint64_t i = 0; i < n; ++i) batch[i].index = next + i;
      RV_TRY(store.log->save(hard_state{1, 1, next + n - 1}, batch));
      next += n;
    }
    m.write_seconds = std::chrono::duration<double>(clock_type::now() - start).count();
    m.entries = total;
    m.payload_bytes = total * o.size;
    m.segments = store.log->log().segments().size();
    RV_TRY(store.log->close());
  }
  options.create_if_missing = false;
  RV_ASSIGN(m.warm_seconds, timed_open(options, m.entries));
  if (!o.cold) {
    m.cold_skipped = "not asked (--no-cold)";
  } else if (::geteuid() != 0) {
    m.cold_skipped = "needs root to drop the page cache (/proc/sys/vm/drop_caches)";
  } else {
    RV_TRY(drop_page_cache());
    RV_ASSIGN(auto cold, timed_open(options, m.entries));
    m.cold_seconds = cold;
  }
  RV_ASSIGN(auto ceiling, measure_cipher_ceiling(o.cipher, o.size, 0.5));
  m.open_ceiling_mb_per_sec = ceiling.open_mb_per_sec;
  return m;
}

void add_recovery(report& rep, const recovery_options& o, const recovery_measurement& m) {
  const double bytes = static_cast<double>(m.payload_bytes);
  const double bound = m.open_ceiling_mb_per_sec * m.workers;
  const double warm = mb_per_sec(bytes, m.warm_seconds);
  rep.add_json("store_size", o.store_size)
      .add_json("size", o.size)
      .add_json("cipher", to_string(o.cipher))
      .add("recovery_entries", "entries", m.entries)
      .add("recovery_segments", "segments", m.segments)
      .add("recovery_write_mb_per_sec", "written at (fdatasync per 4 MiB)", mb_per_sec(bytes, m.write_seconds), 1, "MB/s")
      .add("recovery_workers", "workers decrypting", std::uint64_t{m.workers})
      .add("recovery_open_ceiling_mb_per_sec", "ceiling: open, 1 core", m.open_ceiling_mb_per_sec, 1, "MB/s")
      .add("recovery_warm_seconds", "warm: open + read all", m.warm_seconds, 3, "s")
      .add("recovery_warm_mb_per_sec", "warm", warm, 1, "MB/s")
      .add("recovery_warm_vs_ceiling", "warm / (open ceiling x workers)", fraction_of(warm, bound), 2, "x");
  if (m.cold_seconds) {
    const double cold = mb_per_sec(bytes, *m.cold_seconds);
    rep.add("recovery_cold_seconds", "cold: open + read all", *m.cold_seconds, 3, "s")
        .add("recovery_cold_mb_per_sec", "cold", cold, 1, "MB/s")
        .add("recovery_cold_vs_ceiling", "cold / (open ceiling x workers)", fraction_of(cold, bound), 2, "x");
  } else {
    rep.add_json("recovery_cold_skipped", m.cold_skipped);
  }
}

}  // namespace raftvault::bench
