// raftvault-bench raw: the disk's own sequential write + fdatasync rate, the yardstick the
// other benches are compared against. The file is preallocated (and the allocation made
// durable) before the clock starts, as the WAL preallocates its segments, so every timed
// fdatasync pays what a WAL save pays: the data plus marking preallocated extents written.
#include <fcntl.h>

#include <chrono>
#include <cstdio>

#include "bench/benches.h"
#include "bench/payload.h"
#include "bench/report.h"
#include "bench/scratch_dir.h"
#include "bench/stats.h"
#include "fileio/file.h"

namespace raftvault::bench {
namespace {

using clock_type = std::chrono::steady_clock;

struct raw_run {
  latency_histogram write_and_sync;
  latency_histogram sync_only;
  double seconds = 0;
};

result<raw_run> run(const raw_options& o, scratch_dir& scratch) {
  const std::string path = scratch.path() + "/raftvault-raw-bench.dat";
  RV_ASSIGN(auto f, fileio::file::open(path, O_WRONLY | O_CREAT | O_EXCL, fileio::kPrivateFileMode));
  scratch.remove_at_end(path);
  RV_TRY(f.preallocate(0, o.size * o.count));
  RV_TRY(f.fsync());
  RV_TRY(fileio::fsync_dir(scratch.path()));

  const std::string block = make_payload(o.size);
  raw_run out;
  const auto start = clock_type::now();
  for (std::uint64_t i = 0; i < o.count; ++i) {
    const auto write_start = clock_type::now();
    RV_TRY(f.pwrite_all(block.data(), block.size(), i * o.size));
    const auto sync_start = clock_type::now();
    RV_TRY(f.fdatasync());
    const auto done = clock_type::now();
    out.write_and_sync.record(done - write_start);
    out.sync_only.record(done - sync_start);
  }
  out.seconds = std::chrono::duration<double>(clock_type::now() - start).count();
  RV_TRY(f.close());
  return out;
}

}  // namespace

int run_raw_bench(const raw_options& o) {
  auto scratch = scratch_dir::open(o.data_dir);
  if (!scratch) {
    std::fprintf(stderr, "raftvault-bench raw: %s\n", scratch.error().describe().c_str());
    return 1;
  }
  auto measured = run(o, *scratch);
  if (!measured) {
    std::fprintf(stderr, "raftvault-bench raw: %s\n", measured.error().describe().c_str());
    return 1;
  }
  const raw_run& r = *measured;
  report rep("raftvault-bench raw: " + std::to_string(o.count) + " x " + std::to_string(o.size) +
             " B blocks, write + fdatasync each, preallocated file");
  rep.add_json("bench", "raw")
      .add_json("size", o.size)
      .add_json("count", o.count)
      .add("seconds", "time", r.seconds, 3, "s")
      .add("mb_per_sec", "throughput", static_cast<double>(o.size * o.count) / r.seconds / 1e6, 1,
           "MB/s")
      .add("write_fdatasync_p50_us", "write+fdatasync p50",
           to_micros(r.write_and_sync.percentile(50)), 1, "us")
      .add("write_fdatasync_p99_us", "write+fdatasync p99",
           to_micros(r.write_and_sync.percentile(99)), 1, "us")
      .add("fdatasync_p50_us", "fdatasync p50", to_micros(r.sync_only.percentile(50)), 1, "us")
      .add("fdatasync_p99_us", "fdatasync p99", to_micros(r.sync_only.percentile(99)), 1, "us");
  std::fputs(o.json ? (rep.json() + "\n").c_str() : rep.table().c_str(), stdout);
  return 0;
}

}  // namespace raftvault::bench
