// The commands that only read a store create nothing in it: a deleted keys/LOCK stays deleted.
#include "cli_fixtures.h"
#include "fileio/file.h"

using namespace raftvault;
using namespace raftvault::testing;

TEST_CASE("reading commands do not create a deleted keys/LOCK", "[cli][read-only]") {
  locked_store s;
  const std::map<std::string, std::string> env{{"RAFTVAULT_UNLOCK_KEY", s.key}};
  const std::string lock = s.store + "/keys/LOCK";
  REQUIRE(fileio::exists(lock));
  REQUIRE(fileio::unlink(lock));
  for (const auto& cmd : std::vector<std::vector<std::string>>{{"status"}, {"dump"}, {"verify"}}) {
    auto r = run_raftvault(with_dir(cmd, s.store), env);
    INFO(cmd[0] << ": " << r.err);
    CHECK(r.exit_code == 0);
    CHECK_FALSE(fileio::exists(lock));
  }
  CHECK(run_raftvault({"export", "--data-dir", s.store, "--out", s.source.dir / "out"}, env).exit_code == 0);
  CHECK_FALSE(fileio::exists(lock));
  // A command that changes the store takes the lock as the service does, creating it.
  CHECK(run_raftvault(with_dir({"rotate-dek"}, s.store), env).exit_code == 0);
  CHECK(fileio::exists(lock));
}
