// Shared by the CLI tests: a copy of the etcd 3.4 plain vectors, what etcd's restart path reads
// from them, a locked store imported from them through the real binary, and the check of a
// refusal (exit 1, one line, the store unchanged).
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

// A store imported from the vectors with --autolock; `key` is its unlock key (text + newline).
struct locked_store {
  vector_copy source;
  std::string store = source.dir / "store";
  std::string key;  // text form + newline
  locked_store() {
    auto imported = run_raftvault({"import", "--segment-size", "262144", "--wal-dir", source.wal, "--snap-dir", source.snap, "--data-dir",
                                   store, "--autolock"});
    REQUIRE(imported.exit_code == 0);
    key = imported.out;
  }
};

inline bool one_line(const std::string& text) {
  return !text.empty() && text.back() == '\n' && text.find('\n') == text.size() - 1;
}

// Runs `args` and checks a refusal: exit 1, one line on stderr containing `message`, no stdout,
// and not one byte of the store changed.
inline void expect_refusal(const std::string& store, const std::vector<std::string>& args,
                           const std::map<std::string, std::string>& env, const std::string& message) {
  const auto before = tree_digest(store);
  auto r = run_raftvault(args, env);
  INFO(args[0] << ": " << r.err);
  CHECK(r.exit_code == 1);
  CHECK(one_line(r.err));
  CHECK_THAT(r.err, Catch::StartsWith("raftvault: ") && Catch::Contains(message));
  CHECK(r.out.empty());
  CHECK(tree_digest(store) == before);
}

inline std::vector<std::string> with_dir(std::vector<std::string> args, const std::string& store) {
  args.push_back("--data-dir");
  args.push_back(store);
  return args;
}

}  // namespace raftvault::testing
