// Deletes the WAL segments the WAL detached (wal::detach_released), off the appending thread,
// without ever leaving the log unreadable and without stalling the disk.
//
// - No gap: a segment is first renamed out of the log (X.wal -> X.wal.deleting), oldest
//   first, and the rename made durable. Readers that walk every segment from the oldest (etcd's
//   ValidSnapshotEntries, `raftvault verify`) need the *.wal files to chain without a hole;
//   after a failed rename nothing newer is touched, and the failed one is retried first next
//   time. Old segments left in place are harmless: a later release deletes them.
// - Gradual: the renamed file is shrunk in 4 MiB steps at `bytes_per_sec`, then unlinked.
//   On a filesystem mounted with online discard, unlinking a whole segment at once makes the
//   next WAL fdatasyncs wait for its TRIM; in steps each waits at most for a 4 MiB one.
//   (RocksDB's DeleteScheduler does the same for the same reason.)
// - Crash: a X.wal.deleting left behind is removed by the next wal::open.
// - Two halves: take_out() (the renames, durable) is what releasing a segment means for the
//   log; give_back_step() then does one step of the rest. The snapshot writer runs the steps
//   on a timer, so a snapshot or a DEK rotation's retire never waits behind the pacing.
//
// Used by one thread at a time (the snapshot writer's). Files already gone count as deleted.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "codec/error.h"

namespace raftvault::raftlog {

class segment_remover {
 public:
  static constexpr std::uint64_t kStepBytes = 4u << 20;

  // `bytes_per_sec` 0: no pause between steps.
  explicit segment_remover(std::uint64_t bytes_per_sec = 0) : bytes_per_sec_(bytes_per_sec) {}

  // take_out(paths), then give_back_step() until nothing is left, pausing between steps
  // (blocking). The first failure stops there, names the file, and keeps it and everything
  // newer for the next call.
  status remove(std::vector<std::string> paths);

  // Takes the earlier leftovers and then `paths` (oldest first) out of the log: renamed to
  // X.wal.deleting, the directory fsynced. The first failed rename stops there (named in the
  // error) and keeps it and everything newer for the next call; those renamed are given back.
  status take_out(std::vector<std::string> paths);

  // One step of giving back the oldest segment taken out: a 4 MiB truncate, or its unlink
  // and directory fsync once it is that small. A failure keeps the file for the next step.
  status give_back_step();
  bool giving_back() const { return renamed_ > 0; }
  // How long to wait after a step to keep to bytes_per_sec (0 when unpaced).
  std::chrono::nanoseconds pause() const;

  // Segments handed over but not deleted yet.
  const std::vector<std::string>& pending() const { return pending_; }

 private:
  std::uint64_t bytes_per_sec_;
  std::vector<std::string> pending_;  // oldest first; the first renamed_ are X.wal.deleting
  std::size_t renamed_ = 0;
};

}  // namespace raftvault::raftlog
