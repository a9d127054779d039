// Deletes WAL segments the WAL detached (wal::detach_released) oldest first, and never leaves
// a gap: a segment whose deletion failed is retried before any newer one is deleted. A gap
// would make the log unreadable (the CRC chain and the sequence numbers must continue from the
// oldest segment on disk), while old segments left in place are harmless: the next release
// deletes them, in this process or after a restart.
//
// Used by one thread at a time (the snapshot writer's). Files already gone count as deleted.
#pragma once

#include <string>
#include <vector>

#include "codec/error.h"

namespace raftvault::raftlog {

class segment_remover {
 public:
  // Deletes the earlier leftovers and then `paths` (oldest first), then fsyncs the directory.
  // The first failure stops there, names the file, and keeps it and everything newer for
  // the next call.
  status remove(std::vector<std::string> paths);

  // Segments handed over but not deleted yet (after a failure).
  const std::vector<std::string>& pending() const { return pending_; }

 private:
  std::vector<std::string> pending_;
};

}  // namespace raftvault::raftlog
