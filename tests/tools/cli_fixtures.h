// Shared by the CLI tests: a copy of the etcd 3.4 plain vectors, what etcd's restart path reads
// from them, and a store imported from them through the real binary.
#pragma once

#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include "cli_support.h"
#include "raftlog/encrypted_log.h"
#include "raftlog/snapshotter.h"
#include "raftlog/wal.h"
#include "support/test_support.h"

namespace raftvault::testing {

// What a restart reads from a plaintext etcd WAL + snap directory.
inline raftlog::recovered_state read_plain_pair(const std::string& wal_dir, const std::string& snap_dir) {
  auto markers = raftlog::valid_snapshot_markers(wal_dir);
  REQUIRE(markers);
  raftlog::recovered_state out;
  auto snap = raftlog::snapshotter(snap_dir).load_newest_available(*markers);
  if (snap) out.snap = *snap;
  auto contents = raftlog::read_wal(wal_dir, out.snap ? out.snap->marker() : snapshot_marker{});
  REQUIRE(contents);
  out.metadata = contents->metadata;
  out.state = contents->state;
  out.entries = contents->entries;
  return out;
}

struct vector_copy {
  temp_dir dir;
  std::string wal = dir / "plain-wal";
  std::string snap = dir / "plain-snap";
  vector_copy() {
    std::filesystem::copy(etcd_vectors("plain-wal"), wal);
    std::filesystem::copy(etcd_vectors("plain-snap"), snap);
  }
};

// Writes the unlock key (stdout of a key-creating command) to a 0600 file.
inline std::string save_key(const temp_dir& dir, const std::string& name, const std::string& stdout_text) {
  const std::string path = dir / name;
  write_bytes(path, stdout_text);
  std::filesystem::permissions(path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  return path;
}

}  // namespace raftvault::testing
