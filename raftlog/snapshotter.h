// etcd .snap files (docs/wal-format.md §snapshots): `%016x-%016x.snap` (term, index) holding
// snappb.Snapshot{crc, data = marshalled raftpb.Snapshot}. Unlike etcd, a snapshot is written
// to a temp name, fsynced, renamed and the directory fsynced, so a crash never leaves a
// partial file under a final name.
//
// Snapshot data is opaque here (the encrypted log seals it before save and opens it after
// load). A file failing its CRC is renamed `.broken` and the next older one is tried.
//
// One snapshotter owns its directory: save, gc and load_newest_available are not safe to run
// concurrently on the same directory (the actor layer serialises them in one writer).
// Crash points: "snapshot.before_rename", "snapshot.after_rename".
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "codec/error_types.h"
#include "codec/raft_types.h"

namespace raftvault::raftlog {

class snapshotter {
 public:
  explicit snapshotter(std::string dir) : dir_(std::move(dir)) {}

  // Writes the snapshot durably. A snapshot with metadata.index == 0 is skipped, as etcd does.
  // Creates the directory (0700) if missing. Steps: `<name>.tmp` (0600), write, fsync, rename
  // to `<name>` (replacing a file of the same name), fsync the directory. A failure before the
  // rename removes the temp file (best effort) and leaves nothing new under the final name; a
  // failed directory fsync after it leaves the file there but still fails the save, so the
  // caller does not record a snapshot whose name may not survive a crash.
  status save(const snapshot& snap);

  // Loads one file by name, checking the CRC (errc::corruption naming the file otherwise).
  // Also corruption: an empty file, a zero crc or empty data (etcd's ErrEmptySnapshot), bytes
  // that do not parse, and metadata {term, index} that differ from the name.
  result<snapshot> load_file(const std::string& name) const;

  // The newest snapshot whose {index, term} is one of `allowed` (etcd's LoadNewestAvailable
  // with the WAL's valid snapshot markers), and which `accept` (if given) accepts — the
  // encrypted log uses it to refuse a snapshot no held key opens. Files failing their CRC are
  // renamed .broken and skipped. errc::not_found when none qualifies.
  //
  // Names are tried newest first and filtered by name before anything is read, so files that
  // are not in `allowed` are neither read nor renamed. Only errc::corruption from load_file
  // leads to the `.broken` rename and a fallback to an older file; any other load error (I/O)
  // is returned as is. If `accept` returns an error for a snapshot, that error is returned
  // unchanged: the file is NOT renamed (a missing key is not corruption) and older snapshots
  // are NOT tried, because silently restarting from an older state than the newest readable
  // one would hide the real problem from the operator.
  result<snapshot> load_newest_available(
      const std::vector<snapshot_marker>& allowed,
      const std::function<status(const snapshot&)>& accept = {}) const;

  // Snapshot file names, newest first (descending lexical order, as etcd). Only names of the
  // exact form `%016x-%016x.snap`; temp and .broken files are not listed. A missing directory
  // lists as empty.
  result<std::vector<std::string>> list() const;

  // Deletes all but the newest `keep` snapshot files up to `recorded` (the snapshot whose WAL
  // record and covering hard state were just made durable) and leftover temp files, then
  // fsyncs the directory. `.broken` files are kept for inspection. Files newer than `recorded`
  // are neither counted nor deleted: a save that crashed before its WAL record leaves one,
  // which no restart reads until that record exists; counting it among the `keep` newest
  // would delete `recorded` itself while the WAL before it is already released.
  status gc(std::size_t keep, const snapshot_marker& recorded);

  const std::string& dir() const { return dir_; }
  static std::string file_name(const snapshot_marker& marker);

 private:
  std::string path_of(const std::string& name) const { return dir_ + "/" + name; }
  result<std::vector<std::string>> list_with_suffix(std::string_view suffix) const;

  std::string dir_;
  bool dir_durable_ = false;  // save made the directory durable once: not a flush per save
};

}  // namespace raftvault::raftlog
