// Internal to migration: writes a fresh copy of a raft log (what a restart reads) into a WAL
// and a snap directory through temp directories next to them, and renames it into place
// crash-safely (migration.h describes the protocol and its crash points).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "raftlog/encrypted_log.h"
#include "raftlog/migration.h"

namespace raftvault::raftlog::detail {

struct copy_target {
  std::string wal_dir;
  std::string snap_dir;
  // Whether the WAL directory keeps raftvault's own files: the writer's lock (kLockFileName)
  // and the recorded end (kEndFileName). An export's WAL directory is etcd's and holds only
  // what etcd writes.
  bool keep_raftvault_files = true;
};

// What an interrupted copy to `target` left behind, as paths: its temp directories, and a snap
// directory without its WAL that carries the in-progress marker. Only partial copies: the
// source of the copy is the usable one until the WAL directory is renamed into place.
std::vector<std::string> interrupted_copy_leftovers(const copy_target& target);

// Removes interrupted_copy_leftovers(target), then refuses a target that already holds a WAL,
// or a non-empty snap directory that is not a leftover (errc::already_exists).
status prepare_copy_target(const copy_target& target);

// Writes `content` (plaintext payloads) sealed by `sealer` into the temp directories, makes
// everything durable, renames the snap directory then the WAL directory into place and
// fsyncs their parents. `content.state.commit` is raised to cover the snapshot.
status install_copy(const copy_target& target, const recovered_state& content,
                    const payload_codec& sealer, const migration_options& options);

}  // namespace raftvault::raftlog::detail
