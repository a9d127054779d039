// Store modes: directories and files open to group or others are found (readers change
// nothing), and the writer's open makes them private; a chmod that fails fails the open,
// naming the path.
#include "raftlog/store_permissions.h"

#include <catch2/catch.hpp>
#include <sys/stat.h>

#include "fileio/fault_injection.h"
#include "fileio/file.h"
#include "raftlog/encrypted_log.h"
#include "raftlog/encryption_fixtures.h"

using namespace raftvault;
using namespace raftvault::raftlog;
using raftvault::testing::temp_dir;

namespace {

unsigned mode_of(const std::string& path) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

// A plaintext store (its log is all secret) with a segment and a snapshot.
store_layout make_store(const std::string& data_dir) {
  log_options options;
  options.wal = testing::small_wal();
  auto log = encrypted_log::create(data_dir, "meta", payload_codec::plaintext(), options);
  REQUIRE(log);
  REQUIRE((*log)->save(hard_state{1, 1, 1}, testing::make_entries(1, 3, 1)));
  snapshot snap;
  snap.metadata.index = 2;
  snap.metadata.term = 1;
  snap.data = "state machine";
  REQUIRE((*log)->save_snapshot(snap));
  REQUIRE((*log)->close());
  return (*log)->layout();
}

std::string first_file(const std::string& dir, const std::string& suffix) {
  auto names = fileio::list_dir(dir);
  REQUIRE(names);
  for (const auto& n : *names)
    if (n.size() > suffix.size() && n.compare(n.size() - suffix.size(), suffix.size(), suffix) == 0) return dir + "/" + n;
  FAIL("no " << suffix << " file in " << dir);
  return {};
}

}  // namespace

TEST_CASE("loose store modes are found, left alone by readers, made private by the writer's open",
          "[raftlog][modes]") {
  temp_dir d;
  const store_layout layout = make_store(d / "store");
  const std::string segment = first_file(layout.wal_dir(), ".wal");
  const std::string snap = first_file(layout.snap_dir(), ".snap");
  auto none = find_loose_permissions(layout);
  REQUIRE(none);
  CHECK(none->empty());  // as raftvault makes them

  ::chmod(layout.data_dir.c_str(), 0755);
  ::chmod(layout.wal_dir().c_str(), 0711);
  ::chmod(segment.c_str(), 0644);
  ::chmod(snap.c_str(), 0604);
  auto found = find_loose_permissions(layout);
  REQUIRE(found);
  std::vector<std::tuple<std::string, unsigned, bool>> seen;
  for (const auto& l : *found) seen.emplace_back(l.path, l.mode, l.directory);
  CHECK(seen == std::vector<std::tuple<std::string, unsigned, bool>>{{layout.data_dir, 0755, true},
                                                                     {layout.wal_dir(), 0711, true},
                                                                     {segment, 0644, false},
                                                                     {snap, 0604, false}});
  REQUIRE(read_store(layout.data_dir, payload_codec::plaintext()));
  CHECK(mode_of(layout.data_dir) == 0755);
  CHECK(mode_of(segment) == 0644);

  recovered_state recovered;
  auto opened = encrypted_log::open(layout.data_dir, payload_codec::plaintext(), recovered);
  REQUIRE(opened);
  CHECK(recovered.entries.size() == 1);
  CHECK(mode_of(layout.data_dir) == 0700);
  CHECK(mode_of(layout.wal_dir()) == 0700);
  CHECK(mode_of(segment) == 0600);
  CHECK(mode_of(snap) == 0600);
  REQUIRE((*opened)->close());
}

TEST_CASE("a store that cannot be made private is not opened for writing", "[raftlog][modes]") {
  temp_dir d;
  const store_layout layout = make_store(d / "store");
  ::chmod(layout.snap_dir().c_str(), 0755);
  fileio::inject_fault(fileio::op::chmod, 1, EPERM);
  recovered_state recovered;
  auto opened = encrypted_log::open(layout.data_dir, payload_codec::plaintext(), recovered);
  fileio::clear_faults();
  REQUIRE_FALSE(opened);
  CHECK(opened.error().code() == errc::io);
  CHECK_THAT(opened.error().message(), Catch::Contains("chmod") && Catch::Contains(layout.snap_dir()) &&
                                           Catch::Contains("open " + layout.data_dir));
  CHECK(mode_of(layout.snap_dir()) == 0755);
}
