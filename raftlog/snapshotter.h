// etcd .snap files (docs/wal-format.md §snapshots): `%016x-%016x.snap` (term, index) holding
// snappb.Snapshot{crc, data = marshalled raftpb.Snapshot}. Unlike etcd, a snapshot is written
// to a temp name, fsynced, renamed and the directory fsynced, so a crash never leaves a
// partial file under a final name.
//
// Snapshot data is opaque here (the encrypted log seals it before save and opens it after
// load). A file failing its CRC is renamed `.broken` and the next older one is tried.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "codec/error.h"
#include "codec/raft_types.h"

namespace raftvault::raftlog {

class snapshotter {
 public:
  explicit snapshotter(std::string dir) : dir_(std::move(dir)) {}

  // Writes the snapshot durably. A snapshot with metadata.index == 0 is skipped, as etcd does.
  status save(const snapshot& snap);

  // Loads one file by name, checking the CRC (errc::corruption naming the file otherwise).
  result<snapshot> load_file(const std::string& name) const;

  // The newest snapshot whose {index, term} is one of `allowed` (etcd's LoadNewestAvailable
  // with the WAL's valid snapshot markers), and which `accept` (if given) accepts — the
  // encrypted log uses it to refuse a snapshot no held key opens. Files failing their CRC are
  // renamed .broken and skipped. errc::not_found when none qualifies.
  result<snapshot> load_newest_available(
      const std::vector<snapshot_marker>& allowed,
      const std::function<status(const snapshot&)>& accept = {}) const;

  // Snapshot file names, newest first (descending lexical order, as etcd).
  result<std::vector<std::string>> list() const;

  // Deletes all but the newest `keep` snapshot files (and leftover temp files).
  status gc(std::size_t keep);

  const std::string& dir() const { return dir_; }
  static std::string file_name(const snapshot_marker& marker);

 private:
  std::string dir_;
};

}  // namespace raftvault::raftlog
