// raftlog/snapshotter: etcd .snap files read and written byte for byte, the load fallback
// rules, GC, and durability under crashes and failing fsyncs.
#include <catch2/catch.hpp>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "fileio/crash_point.h"
#include "fileio/fault_injection.h"
#include "raftlog/snapshotter.h"
#include "support/test_support.h"

using namespace raftvault;
using raftlog::snapshotter;
using raftvault::testing::temp_dir;

namespace {

const char* kVectorName = "0000000000000002-0000000000000014.snap";
const char* kDataSha = "6ea7309684c58e9fbb90d6f698ea28e8af06fe193d301996ea27eb996014e346";
const char* kFileSha = "aee9fc8c1646988d643b387a60ccfe4037b9e0f530b7a8acca322e292222ffe3";

std::string vector_path() { return testing::etcd_vectors("plain-snap/") + kVectorName; }

// The snapshot the golden vector holds: "snapshot-20-t2;" repeated, cut to 5000 bytes.
snapshot vector_snapshot() {
  snapshot s;
  const std::string pattern = "snapshot-20-t2;";
  while (s.data.size() < 5000) s.data += pattern;
  s.data.resize(5000);
  s.metadata.index = 20;
  s.metadata.term = 2;
  s.metadata.conf.voters = {1, 2, 3};
  return s;
}

snapshot make_snapshot(std::uint64_t index, std::uint64_t term) {
  snapshot s;
  s.data = "state at " + std::to_string(index);
  s.metadata.index = index;
  s.metadata.term = term;
  s.metadata.conf.voters = {1};
  return s;
}

unsigned mode_of(const std::string& path) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_mode & 0777;
}

// Flips one byte in the middle of the file (inside the data, so the CRC catches it).
void corrupt(const std::string& path) {
  std::string bytes = testing::read_bytes(path);
  bytes[bytes.size() / 2] ^= 0x5a;
  testing::write_bytes(path, bytes);
}

// Runs `body` in a forked child with `point` armed; returns the child's exit code.
template <class Body>
int run_child_crashing_at(const std::string& point, Body body) {
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    fileio::arm_crash_point(point);
    body();
    ::_exit(0);
  }
  int wstatus = 0;
  REQUIRE(::waitpid(pid, &wstatus, 0) == pid);
  REQUIRE(WIFEXITED(wstatus));
  return WEXITSTATUS(wstatus);
}

}  // namespace

TEST_CASE("snapshotter reads the etcd 3.4 golden snapshot") {
  temp_dir dir;
  testing::write_bytes(dir / kVectorName, testing::read_bytes(vector_path()));
  snapshotter snap(dir.path());

  auto names = snap.list();
  REQUIRE(names);
  CHECK(*names == std::vector<std::string>{kVectorName});

  auto loaded = snap.load_newest_available({{0, 0}, {20, 2}});
  REQUIRE(loaded);
  CHECK(loaded->metadata.index == 20);
  CHECK(loaded->metadata.term == 2);
  CHECK(loaded->metadata.conf.voters == std::vector<std::uint64_t>{1, 2, 3});
  CHECK(loaded->metadata.conf.learners.empty());
  CHECK(loaded->data.size() == 5000);
  CHECK(testing::sha256_hex(loaded->data) == kDataSha);
  CHECK(*loaded == vector_snapshot());
}

TEST_CASE("snapshotter writes byte-identical files with private modes") {
  temp_dir dir;
  const std::string snap_dir = dir / "snap-v3";
  snapshotter snap(snap_dir);
  REQUIRE(snapshotter::file_name({20, 2}) == kVectorName);
  REQUIRE(snap.save(vector_snapshot()));

  const std::string bytes = testing::read_bytes(snap_dir + "/" + kVectorName);
  CHECK(bytes.size() == 5028);
  CHECK(testing::sha256_hex(bytes) == kFileSha);
  CHECK(bytes == testing::read_bytes(vector_path()));
  CHECK(testing::list_files(snap_dir) == std::vector<std::string>{kVectorName});
  CHECK(mode_of(snap_dir) == 0700);
  CHECK(mode_of(snap_dir + "/" + kVectorName) == 0600);

  auto again = snap.load_file(kVectorName);
  REQUIRE(again);
  CHECK(*again == vector_snapshot());
}

TEST_CASE("snapshotter skips a snapshot at index 0") {
  temp_dir dir;
  snapshotter snap(dir.path());
  REQUIRE(snap.save(make_snapshot(0, 0)));
  CHECK(testing::list_files(dir.path()).empty());
}

TEST_CASE("snapshotter falls back from a corrupt newest snapshot") {
  temp_dir dir;
  snapshotter snap(dir.path());
  REQUIRE(snap.save(make_snapshot(10, 1)));
  REQUIRE(snap.save(make_snapshot(20, 2)));
  const std::string newest = snapshotter::file_name({20, 2});
  const std::string older = snapshotter::file_name({10, 1});
  corrupt(dir / newest);

  auto loaded = snap.load_newest_available({{10, 1}, {20, 2}});
  REQUIRE(loaded);
  CHECK(*loaded == make_snapshot(10, 1));
  CHECK(testing::list_files(dir.path()) == std::vector<std::string>{older, newest + ".broken"});

  auto direct = snap.load_file(older);
  REQUIRE(direct);
  testing::write_bytes(dir / older, "");
  auto empty = snap.load_file(older);
  REQUIRE_FALSE(empty);
  CHECK(empty.error().code() == errc::corruption);
  CHECK(empty.error().message() == dir / older + ": empty snapshot file");
}

TEST_CASE("snapshotter reports a crc mismatch naming the file") {
  temp_dir dir;
  snapshotter snap(dir.path());
  REQUIRE(snap.save(make_snapshot(10, 1)));
  const std::string name = snapshotter::file_name({10, 1});
  corrupt(dir / name);
  auto loaded = snap.load_file(name);
  REQUIRE_FALSE(loaded);
  CHECK(loaded.error().code() == errc::corruption);
  CHECK_THAT(loaded.error().message(), Catch::StartsWith(dir / name + ": crc mismatch: stored "));
}

TEST_CASE("snapshotter fails when every allowed snapshot is corrupt") {
  temp_dir dir;
  snapshotter snap(dir.path());
  REQUIRE(snap.save(make_snapshot(10, 1)));
  REQUIRE(snap.save(make_snapshot(20, 2)));
  corrupt(dir / snapshotter::file_name({10, 1}));
  corrupt(dir / snapshotter::file_name({20, 2}));

  auto loaded = snap.load_newest_available({{10, 1}, {20, 2}});
  REQUIRE_FALSE(loaded);
  CHECK(loaded.error().code() == errc::not_found);
  CHECK(loaded.error().message() ==
        dir.path() + ": no usable snapshot among 2 WAL snapshot marker(s) (2 renamed .broken "
                     "after failing checks)");
  CHECK(testing::list_files(dir.path()) ==
        std::vector<std::string>{snapshotter::file_name({10, 1}) + ".broken",
                                 snapshotter::file_name({20, 2}) + ".broken"});
}

TEST_CASE("snapshotter only loads snapshots the WAL references") {
  temp_dir dir;
  snapshotter snap(dir.path());
  REQUIRE(snap.save(make_snapshot(10, 1)));
  REQUIRE(snap.save(make_snapshot(30, 3)));  // saved, but its WAL record never made it
  auto loaded = snap.load_newest_available({{0, 0}, {10, 1}});
  REQUIRE(loaded);
  CHECK(loaded->metadata.index == 10);

  auto none = snap.load_newest_available({{0, 0}});
  REQUIRE_FALSE(none);
  CHECK(none.error().code() == errc::not_found);
  CHECK(none.error().message() == dir.path() + ": no usable snapshot among 1 WAL snapshot marker(s)");
}

TEST_CASE("snapshotter returns the accept error without renaming or falling back") {
  temp_dir dir;
  snapshotter snap(dir.path());
  REQUIRE(snap.save(make_snapshot(10, 1)));
  REQUIRE(snap.save(make_snapshot(20, 2)));
  std::vector<std::uint64_t> offered;
  auto loaded = snap.load_newest_available({{10, 1}, {20, 2}}, [&](const snapshot& s) -> status {
    offered.push_back(s.metadata.index);
    return error(errc::missing_key, "snapshot 20 sealed with key 7, which is not held");
  });
  REQUIRE_FALSE(loaded);
  CHECK(offered == std::vector<std::uint64_t>{20});
  CHECK(loaded.error().code() == errc::missing_key);
  CHECK(loaded.error().message() == "snapshot 20 sealed with key 7, which is not held");
  CHECK(testing::list_files(dir.path()) ==
        std::vector<std::string>{snapshotter::file_name({10, 1}), snapshotter::file_name({20, 2})});

  auto accepted = snap.load_newest_available({{10, 1}, {20, 2}},
                                             [](const snapshot&) { return status::ok(); });
  REQUIRE(accepted);
  CHECK(*accepted == make_snapshot(20, 2));
}

TEST_CASE("snapshotter treats a name that disagrees with the contents as corruption") {
  temp_dir dir;
  snapshotter snap(dir.path());
  REQUIRE(snap.save(make_snapshot(10, 1)));
  const std::string wrong = snapshotter::file_name({11, 1});
  REQUIRE(::rename((dir / snapshotter::file_name({10, 1})).c_str(), (dir / wrong).c_str()) == 0);
  auto loaded = snap.load_file(wrong);
  REQUIRE_FALSE(loaded);
  CHECK(loaded.error().code() == errc::corruption);
  CHECK(loaded.error().message() == dir / wrong +
                                        ": holds snapshot {index 10, term 1} but its name says "
                                        "{index 11, term 1}");
}

TEST_CASE("snapshotter ignores leftover temp files and gc removes them") {
  temp_dir dir;
  snapshotter snap(dir.path());
  for (std::uint64_t i = 1; i <= 4; ++i) REQUIRE(snap.save(make_snapshot(i * 10, i)));
  const std::string stale = snapshotter::file_name({50, 5}) + ".tmp";
  testing::write_bytes(dir / stale, "partial");
  testing::write_bytes(dir / "notes.txt", "not a snapshot");

  auto names = snap.list();
  REQUIRE(names);
  CHECK(*names == std::vector<std::string>{snapshotter::file_name({40, 4}),
                                          snapshotter::file_name({30, 3}),
                                          snapshotter::file_name({20, 2}),
                                          snapshotter::file_name({10, 1})});
  auto loaded = snap.load_newest_available({{40, 4}, {50, 5}});
  REQUIRE(loaded);
  CHECK(loaded->metadata.index == 40);

  REQUIRE(snap.gc(2, {40, 4}));
  CHECK(testing::list_files(dir.path()) ==
        std::vector<std::string>{snapshotter::file_name({30, 3}), snapshotter::file_name({40, 4}),
                                 "notes.txt"});
  REQUIRE(snap.gc(5, {40, 4}));
  CHECK(testing::list_files(dir.path()).size() == 3);
  REQUIRE(snap.gc(0, {40, 4}));
  CHECK(testing::list_files(dir.path()) == std::vector<std::string>{"notes.txt"});
}

TEST_CASE("a crash before the rename leaves no snapshot under its final name") {
  temp_dir dir;
  snapshotter snap(dir.path());
  REQUIRE(snap.save(make_snapshot(10, 1)));
  int code = run_child_crashing_at("snapshot.before_rename", [&] {
    (void)snapshotter(dir.path()).save(make_snapshot(20, 2));
  });
  CHECK(code == fileio::kCrashExitCode);
  const std::string name = snapshotter::file_name({20, 2});
  CHECK(testing::list_files(dir.path()) ==
        std::vector<std::string>{snapshotter::file_name({10, 1}), name + ".tmp"});

  auto loaded = snap.load_newest_available({{10, 1}, {20, 2}});
  REQUIRE(loaded);
  CHECK(loaded->metadata.index == 10);
  REQUIRE(snap.gc(10, {10, 1}));
  CHECK(testing::list_files(dir.path()) == std::vector<std::string>{snapshotter::file_name({10, 1})});

  // A crash right after the rename: the snapshot is complete and loads.
  code = run_child_crashing_at("snapshot.after_rename", [&] {
    (void)snapshotter(dir.path()).save(make_snapshot(20, 2));
  });
  CHECK(code == fileio::kCrashExitCode);
  loaded = snap.load_newest_available({{10, 1}, {20, 2}});
  REQUIRE(loaded);
  CHECK(*loaded == make_snapshot(20, 2));
}

TEST_CASE("a failing fsync fails the save and leaves no file behind") {
  temp_dir dir;
  snapshotter snap(dir.path());
  fileio::inject_fault(fileio::op::fsync, 1, EIO);
  auto saved = snap.save(make_snapshot(20, 2));
  fileio::clear_faults();
  REQUIRE_FALSE(saved);
  CHECK(saved.error().code() == errc::io);
  CHECK(saved.error().sys_errno() == EIO);
  const std::string final_path = dir / snapshotter::file_name({20, 2});
  CHECK_THAT(saved.error().message(), Catch::StartsWith("save snapshot " + final_path +
                                                        ": fsync " + final_path + ".tmp"));
  CHECK(testing::list_files(dir.path()).empty());

  fileio::inject_fault(fileio::op::fsync_dir, 1, EIO);
  saved = snap.save(make_snapshot(20, 2));
  fileio::clear_faults();
  REQUIRE_FALSE(saved);
  CHECK(saved.error().sys_errno() == EIO);
  CHECK_THAT(saved.error().message(), Catch::StartsWith("save snapshot " + final_path +
                                                        ": fsync directory " + dir.path()));
}

TEST_CASE("listing goes through the file layer - a failed listing names the directory") {
  temp_dir dir;
  snapshotter snap(dir.path());
  REQUIRE(snap.save(make_snapshot(10, 1)));
  REQUIRE(snap.save(make_snapshot(20, 2)));

  fileio::inject_fault(fileio::op::read, 1, EIO);
  auto names = snap.list();
  fileio::clear_faults();
  REQUIRE_FALSE(names);
  CHECK(names.error().code() == errc::io);
  CHECK(names.error().sys_errno() == EIO);
  CHECK(names.error().message() == "list directory " + dir.path() + ": " + std::strerror(EIO));

  // gc lists too: a failed listing deletes nothing.
  fileio::inject_fault(fileio::op::read, 1, EIO);
  auto collected = snap.gc(0, {20, 2});
  fileio::clear_faults();
  REQUIRE_FALSE(collected);
  CHECK(collected.error().sys_errno() == EIO);
  CHECK(testing::list_files(dir.path()) ==
        std::vector<std::string>{snapshotter::file_name({10, 1}), snapshotter::file_name({20, 2})});

  // A directory that does not exist yet lists as empty, without an error.
  CHECK(snapshotter(dir / "missing").list().value().empty());
}
