// raftvault-bench raw: the disk's own sequential write + fdatasync rate, the yardstick the
// other benches are compared against. The file is preallocated (and the allocation made
// durable) before the clock starts, as the WAL preallocates its segments, so every timed
// fdatasync pays what a WAL save pays: the data plus marking preallocated extents written.
#include <cstdio>

#include "bench/benches.h"
#include "bench/raw_disk.h"
#include "bench/report.h"
#include "bench/scratch_dir.h"

namespace raftvault::bench {

int run_raw_bench(const raw_options& o) {
  auto scratch = scratch_dir::open(o.data_dir);
  if (!scratch) {
    std::fprintf(stderr, "raftvault-bench raw: %s\n", scratch.error().describe().c_str());
    return 1;
  }
  auto measured = measure_raw_disk(*scratch, "raftvault-raw-bench.dat",
                                   o.direct ? raw_io::direct : raw_io::buffered, o.size, o.count);
  if (!measured) {
    std::fprintf(stderr, "raftvault-bench raw: %s\n", measured.error().describe().c_str());
    return 1;
  }
  const raw_disk_run& r = *measured;
  report rep("raftvault-bench raw: " + std::to_string(o.count) + " x " + std::to_string(o.size) +
             " B blocks, " + (o.direct ? "O_DIRECT " : "") +
             "write + fdatasync each, preallocated file");
  rep.add_json("bench", "raw")
      .add_json("direct", o.direct)
      .add_json("size", o.size)
      .add_json("count", o.count)
      .add("seconds", "time", r.seconds, 3, "s")
      .add("mb_per_sec", "throughput", r.mb_per_sec(), 1, "MB/s")
      .add("write_fdatasync_p50_us", "write+fdatasync p50",
           to_micros(r.write_and_sync.percentile(50)), 1, "us")
      .add("write_fdatasync_p99_us", "write+fdatasync p99",
           to_micros(r.write_and_sync.percentile(99)), 1, "us")
      .add("fdatasync_p50_us", "fdatasync p50", to_micros(r.sync_only.percentile(50)), 1, "us")
      .add("fdatasync_p99_us", "fdatasync p99", to_micros(r.sync_only.percentile(99)), 1, "us");
  if (auto emitted = emit(rep, o.json, o.json_file); !emitted) {
    std::fprintf(stderr, "raftvault-bench raw: %s\n", emitted.error().describe().c_str());
    return 1;
  }
  return 0;
}

}  // namespace raftvault::bench
