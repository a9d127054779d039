// Replays WAL records the way etcd's ReadAll, Verify and ValidSnapshotEntries do, shared by
// wal::open and the read-only tools (wal_reader.cpp). Stops at the clean end or a torn tail and
// reports which; every other problem is an error naming the file and byte offset.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "codec/error.h"
#include "raftlog/entry_index.h"
#include "raftlog/wal.h"
#include "raftlog/wal_decoder.h"

namespace raftvault::raftlog {

enum class replay_mode {
  read_all,   // metadata, last hard state, entries after `at`; `at` must be recorded
  verify,     // CRC chain, metadata and `at` only; entries are not decoded
  snapshots,  // every snapshot record and the last hard state
};

struct replay_result {
  wal_contents contents;
  std::vector<entry_location> locations;   // of contents.entries (read_all mode)
  std::vector<snapshot_marker> snapshots;  // snapshot records in log order (snapshots mode)
  std::uint64_t last_index = 0;            // index of the last entry record (etcd's enti)
  std::uint64_t highest_index = 0;         // of any entry record, ones a rewrite replaced too
  std::uint64_t max_commit = 0;            // the highest commit of any hard state record
  std::uint64_t tail_last_entry = 0;       // index of the last segment's last entry record
  std::uint32_t crc = 0;                   // running CRC at the end
  bool torn = false;                       // ended in a torn tail of the last segment
  std::uint64_t end_offset = 0;            // clean end (or last valid frame end if torn)
  bool garbage_after_end = false;
};

result<replay_result> replay(const std::string& dir, const std::vector<segment_info>& segments,
                             snapshot_marker at, replay_mode mode);

}  // namespace raftvault::raftlog
