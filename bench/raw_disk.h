// The disk's own durable-write cost, shared by `raftvault-bench raw`, `ceiling` and the benches
// that compare against it in the same run (pipeline). Blocks of one size are written
// sequentially into a file preallocated (allocation made durable) before the clock starts, as
// the WAL preallocates its segments. Five ways to make a block durable:
//   buffered          write(2) through the page cache + fdatasync (etcd's WAL, the yardstick)
//   direct            O_DIRECT through raftlog::tail_writer + fdatasync, exactly as a WAL with
//                     wal_options::direct_io writes its tail
//   dsync             write(2) on an O_DSYNC descriptor: one syscall, durable on return
//   rwf_dsync         pwritev2(RWF_DSYNC) through the page cache
//   direct_rwf_dsync  pwritev2(RWF_DSYNC) with O_DIRECT, each block padded to 4 KiB (raft_uv's
//                     way of writing its log)
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "bench/scratch_dir.h"
#include "bench/stats.h"
#include "codec/error.h"

namespace raftvault::bench {

enum class raw_io { buffered, direct, dsync, rwf_dsync, direct_rwf_dsync };
// "write_fdatasync", "direct_fdatasync", "dsync_write", "rwf_dsync", "direct_rwf_dsync".
const char* to_string(raw_io io);

struct raw_disk_run {
  latency_histogram write_and_sync;  // one block made durable (pwrite + fdatasync, or one call)
  latency_histogram sync_only;       // the fdatasync alone (empty for the *dsync modes)
  std::uint64_t blocks = 0;
  std::uint64_t bytes = 0;
  double seconds = 0;

  double mb_per_sec() const { return seconds > 0 ? static_cast<double>(bytes) / seconds / 1e6 : 0; }
  void merge(const raw_disk_run& other);
};

// Writes up to `max_blocks` blocks of `block_size` bytes into a new file named `file_name` in
// the scratch directory (removed at the end of the run), stopping early once `max_time` has
// passed (after at least `min_blocks`). The file is closed before returning. The O_DIRECT modes
// fail (errc::io naming the file) where the file system has none.
result<raw_disk_run> measure_raw_disk(scratch_dir& scratch, const std::string& file_name,
                                      raw_io io, std::uint64_t block_size,
                                      std::uint64_t max_blocks,
                                      std::chrono::steady_clock::duration max_time =
                                          std::chrono::steady_clock::duration::max(),
                                      std::uint64_t min_blocks = 1);

}  // namespace raftvault::bench
