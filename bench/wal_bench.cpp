// raftvault-bench wal: the WAL engine alone, driven like a raft node drives it — each save
// carries a batch of entries and a hard state whose commit covers them. With sync every save
// is wal::save (one fdatasync per save); with --no-sync it is wal::append (no fdatasync).
// Timed: the save loop only (store creation and close are outside the clock).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <vector>

#include "bench/benches.h"
#include "bench/payload.h"
#include "bench/report.h"
#include "bench/scratch_dir.h"
#include "bench/stats.h"
#include "fileio/file.h"
#include "fileio/io_counters.h"
#include "raftlog/store_layout.h"
#include "raftlog/wal.h"

namespace raftvault::bench {
namespace {

using clock_type = std::chrono::steady_clock;

struct wal_run {
  latency_histogram saves;
  double seconds = 0;
  std::uint64_t fdatasyncs = 0;
  std::uint64_t fsyncs = 0;
  std::uint64_t segments = 0;
};

result<wal_run> run(const wal_options& o, scratch_dir& scratch) {
  const raftlog::store_layout layout{scratch.path(), /*encrypted=*/false};
  if (!fileio::exists(layout.snap_dir())) {
    RV_TRY(fileio::make_dir(layout.snap_dir(), fileio::kPrivateDirMode));
    scratch.remove_at_end(layout.snap_dir());
  }
  raftlog::wal_options wal_config;
  wal_config.segment_size = o.segment_size;
  RV_ASSIGN(auto log, raftlog::wal::create(layout.wal_dir(), "raftvault-bench", wal_config));
  scratch.remove_at_end(layout.wal_dir());

  // One batch of entries reused for every save: only the indexes change, so the loop
  // measures the WAL, not the allocator.
  const std::string payload = make_payload(o.size);
  std::vector<entry> batch(static_cast<std::size_t>(std::min(o.batch, o.entries)));
  for (auto& e : batch) {
    e.term = 1;
    e.data = payload;
  }

  wal_run out;
  fileio::reset_io_call_counts();
  const auto start = clock_type::now();
  for (std::uint64_t next = 1; next <= o.entries;) {
    const std::uint64_t n = std::min<std::uint64_t>(batch.size(), o.entries - next + 1);
    batch.resize(static_cast<std::size_t>(n));  // only the last batch can be shorter
    for (std::uint64_t i = 0; i < n; ++i) batch[i].index = next + i;
    const hard_state state{1, 1, next + n - 1};
    const auto save_start = clock_type::now();
    auto saved = o.sync ? log->save(state, batch) : log->append(state, batch);
    out.saves.record(clock_type::now() - save_start);
    if (!saved) return saved.error().with_context("save at index " + std::to_string(next));
    next += n;
  }
  out.seconds = std::chrono::duration<double>(clock_type::now() - start).count();
  out.fdatasyncs = fileio::io_call_count(fileio::op::fdatasync);
  out.fsyncs = fileio::io_call_count(fileio::op::fsync);
  out.segments = log->segments().size();
  RV_TRY(log->close());
  return out;
}

report make_report(const wal_options& o, const wal_run& r, const std::string& kept_dir) {
  const double entries_per_sec = static_cast<double>(o.entries) / r.seconds;
  const double mb_per_sec = static_cast<double>(o.entries * o.size) / r.seconds / 1e6;
  report rep("raftvault-bench wal: " + std::to_string(o.entries) + " entries x " +
             std::to_string(o.size) + " B, batch " + std::to_string(o.batch) + ", " +
             (o.sync ? "fdatasync per save" : "no-sync") + ", cipher " + to_string(o.cipher));
  rep.add_json("bench", "wal")
      .add_json("entries", o.entries)
      .add_json("size", o.size)
      .add_json("batch", o.batch)
      .add_json("sync", o.sync)
      .add_json("cipher", to_string(o.cipher))
      .add_json("segment_size", o.segment_size)
      .add("seconds", "time", r.seconds, 3, "s")
      .add("entries_per_sec", "entries/s", entries_per_sec, 0)
      .add("mb_per_sec", "throughput", mb_per_sec, 1, "MB/s")
      .add("save_p50_us", "save p50", to_micros(r.saves.percentile(50)), 1, "us")
      .add("save_p99_us", "save p99", to_micros(r.saves.percentile(99)), 1, "us")
      .add("save_max_us", "save max", to_micros(r.saves.max()), 1, "us")
      .add("saves", "saves", r.saves.count())
      .add("fdatasyncs", "fdatasyncs", r.fdatasyncs)
      .add("fsyncs", "fsyncs", r.fsyncs)
      .add("segments", "segments", r.segments);
  if (!kept_dir.empty()) rep.add_json("data_dir", kept_dir);
  return rep;
}

}  // namespace

int run_wal_bench(const wal_options& o) {
  auto scratch = scratch_dir::open(o.data_dir);
  if (!scratch) {
    std::fprintf(stderr, "raftvault-bench wal: %s\n", scratch.error().describe().c_str());
    return 1;
  }
  if (o.keep) scratch->keep();
  auto measured = run(o, *scratch);
  if (!measured) {
    std::fprintf(stderr, "raftvault-bench wal: %s\n", measured.error().describe().c_str());
    return 1;
  }
  const report rep = make_report(o, *measured, o.keep ? scratch->path() : std::string());
  std::fputs(o.json ? (rep.json() + "\n").c_str() : rep.table().c_str(), stdout);
  if (o.keep && !o.json)
    std::printf("  kept %s/wal-v3 and %s/snap-v3\n", scratch->path().c_str(), scratch->path().c_str());
  return 0;
}

}  // namespace raftvault::bench
