// Moving a raft log between a plaintext etcd WAL/snap pair and an encrypted store, both ways,
// crash-safe (docs/encryption.md §migration).
//
// Both directions read the source through etcd's restart path (valid snapshot markers, newest
// usable snapshot, entries after it, last hard state) and write a fresh copy that holds exactly
// that: the WAL metadata, a walpb snapshot record and the .snap, the entries after the
// snapshot, and a hard state whose commit covers the snapshot (etcd ignores it otherwise).
//
// Crash safety: the new copy is built in a temp directory next to its destination, fsynced,
// and renamed into place — .snap directory first, WAL directory last (the WAL directory is what
// makes a store exist, detect_layout), then the parent is fsynced. The source is only read;
// until the WAL rename is durable the source is the usable copy, after it the new one is.
// Leftovers of an interrupted run (`<dest>.migrating` temp directories, a snap directory
// without its WAL that still carries the `.raftvault-copy-incomplete` marker) are removed by
// the next attempt. Crash points, in order:
//   "migration.source_read", "migration.temp_written", "migration.snap_renamed",
//   "migration.wal_renamed" (commit point passed), "migration.marker_removed",
//   "migration.source_removed" (only with remove_source)
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "codec/error.h"
#include "raftlog/encrypted_log.h"
#include "raftlog/payload_codec.h"
#include "raftlog/wal.h"

namespace raftvault::raftlog {

struct migration_options {
  wal_options wal;
  // Entries per WAL save while copying (bounds memory of the sealed batch, not the source).
  std::size_t batch_entries = 1024;
  // After the encrypted copy is durable, delete the plaintext source directories (the point
  // of encrypting at rest). Off by default: the source may be someone else's etcd directory.
  bool remove_source = false;
  // Called after each batch of entries is written to the copy: (entries written, total).
  // For progress displays only (the CLI's progress bar); may be empty.
  std::function<void(std::uint64_t, std::uint64_t)> progress;
  // Called once, before anything is copied, when the source's newest snapshot is damaged and
  // an older one is copied instead (recovered_state::skipped_snapshot); may be empty.
  std::function<void(const std::string&)> skipped_snapshot;
};

// Plaintext etcd WAL (+ optional snap directory; empty = none) -> encrypted store in data_dir
// (wal-v3-encrypted/, snap-v3-encrypted/), sealed with codec's sealing key. Refuses a data_dir
// that already holds an encrypted store (errc::already_exists) and a plaintext codec.
status migrate_plain_to_encrypted(const std::string& plain_wal_dir,
                                  const std::string& plain_snap_dir, const std::string& data_dir,
                                  const std::shared_ptr<const payload_codec>& codec,
                                  const migration_options& options = {});

// A plaintext etcd WAL (+ snap directory; empty = none) as etcd's restart path reads it: the
// newest snapshot among the valid WAL markers, then the WAL from it. No lock is taken and
// nothing is repaired or renamed (a damaged .snap is only skipped): the source may be a live
// etcd member's directory.
result<recovered_state> read_plain_etcd(const std::string& wal_dir, const std::string& snap_dir);

// Store in data_dir (encrypted, opened with codec's keys; or plaintext with the plaintext
// codec) -> plaintext etcd WAL and snap directories that etcd 3.4 itself opens, holding only
// what etcd writes (no raftvault.lock). Refuses an existing out_wal_dir, and an out_snap_dir
// holding other .snap files (errc::already_exists).
status export_to_plain(const std::string& data_dir,
                       const std::shared_ptr<const payload_codec>& codec,
                       const std::string& out_wal_dir, const std::string& out_snap_dir,
                       const migration_options& options = {});

}  // namespace raftvault::raftlog
