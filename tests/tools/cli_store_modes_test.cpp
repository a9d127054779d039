// Store directories and files open to group or others: the commands that only read a store
// warn, naming path and mode, and change nothing; the commands that change it make them private.
#include <sys/stat.h>

#include "cli_fixtures.h"
#include "fileio/file.h"

using namespace raftvault;
using namespace raftvault::testing;

namespace {

unsigned mode_of(const std::string& path) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

void set_mode(const std::string& path, unsigned mode) { REQUIRE(::chmod(path.c_str(), mode) == 0); }

const std::vector<std::vector<std::string>> kReaders = {{"status"}, {"status", "--json"}, {"dump"}, {"verify"}};

}  // namespace

TEST_CASE("readers warn about a store open to group or others and change nothing", "[cli][modes]") {
  locked_store s;
  const std::map<std::string, std::string> env{{"RAFTVAULT_UNLOCK_KEY", s.key}};
  const std::string wal_dir = s.store + "/wal-v3-encrypted";
  const std::string segment = wal_dir + "/0000000000000000-0000000000000000.wal";
  set_mode(s.store, 0755);
  set_mode(wal_dir, 0750);
  set_mode(segment, 0644);
  for (const auto& cmd : kReaders) {
    auto r = run_raftvault(with_dir(cmd, s.store), env);
    INFO(cmd[0] << ": " << r.err);
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.err, Catch::Contains("raftvault: warning: directory " + s.store +
                                      " has mode 0755, open to group or others: a store holds secrets"));
    CHECK_THAT(r.err, Catch::Contains("raftvault: warning: directory " + wal_dir + " has mode 0750"));
    CHECK_THAT(r.err, Catch::Contains("raftvault: warning: 1 file in " + wal_dir +
                                      " open to group or others (e.g. " + segment + " has mode 0644)"));
  }
  CHECK(mode_of(s.store) == 0755);
  CHECK(mode_of(wal_dir) == 0750);
  CHECK(mode_of(segment) == 0644);
}

TEST_CASE("commands that change a store make it private and say so", "[cli][modes]") {
  locked_store s;
  const std::map<std::string, std::string> env{{"RAFTVAULT_UNLOCK_KEY", s.key}};
  const std::string wal_dir = s.store + "/wal-v3-encrypted";
  const std::string snap_dir = s.store + "/snap-v3-encrypted";
  const std::string segment = wal_dir + "/0000000000000000-0000000000000000.wal";
  const std::string snap = snap_dir + "/0000000000000002-0000000000000014.snap";
  set_mode(s.store, 0755);
  set_mode(snap_dir, 0755);
  set_mode(segment, 0644);
  set_mode(snap, 0640);
  auto rotated = run_raftvault({"unlock-key", "rotate", "--data-dir", s.store}, env);
  INFO(rotated.err);
  REQUIRE(rotated.exit_code == 0);
  CHECK_THAT(rotated.err, Catch::Contains("raftvault: made directory " + s.store + " private (mode 0755 -> 0700)"));
  CHECK_THAT(rotated.err, Catch::Contains("raftvault: made 1 file in " + wal_dir + " private (e.g. " + segment +
                                          ": mode 0644 -> 0600)"));
  CHECK(mode_of(s.store) == 0700);
  CHECK(mode_of(snap_dir) == 0700);
  CHECK(mode_of(segment) == 0600);
  CHECK(mode_of(snap) == 0600);
  auto quiet = run_raftvault(with_dir({"status"}, s.store), {{"RAFTVAULT_UNLOCK_KEY", rotated.out}});
  CHECK(quiet.exit_code == 0);
  CHECK(quiet.err.empty());
}

TEST_CASE("init into an existing directory open to others makes it private", "[cli][modes]") {
  temp_dir dir;
  const std::string store = dir / "store";
  REQUIRE(fileio::make_dir(store, 0755));
  set_mode(store, 0755);  // whatever the umask
  auto created = run_raftvault({"init", "--data-dir", store});
  REQUIRE(created.exit_code == 0);
  CHECK_THAT(created.err, Catch::Contains("made directory " + store + " private (mode 0755 -> 0700)"));
  CHECK(mode_of(store) == 0700);
}
