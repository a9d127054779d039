// Programs started with a standard fd closed (`raftvault init >&-`): the closed fd's number must
// never go to a file the program opens, where its output (an unlock key, a report) would land —
// keys/LOCK, a key file, a segment. A new unlock key that stdout cannot take is refused before
// anything changes; other output that is lost fails the command.
#include <unistd.h>

#include "cli_fixtures.h"
#include "fileio/file.h"

using namespace raftvault;
using namespace raftvault::testing;

namespace {

const std::vector<int> kStdoutClosed = {STDOUT_FILENO};
const std::string kNoKey = "raftvault: stdout is closed, so a new unlock key could not be shown (redirect it to a file "
                           "instead): ";

std::vector<std::string> with(std::vector<std::string> args, const std::vector<std::string>& more) {
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

}  // namespace

TEST_CASE("init and import --autolock with stdout closed create nothing", "[cli][fds]") {
  vector_copy source;
  const std::vector<std::string> small = {"--segment-size", "262144"};
  for (const std::string command : {"init", "import"}) {
    const std::string data_dir = source.dir / ("store-" + command);
    const auto args = command == "init" ? with({"init", "--data-dir", data_dir, "--autolock"}, small)
                                        : with({"import", "--wal-dir", source.wal, "--snap-dir", source.snap,
                                                "--data-dir", data_dir, "--autolock"},
                                               small);
    auto r = run_raftvault(args, {}, {}, kStdoutClosed);
    INFO(command << ": " << r.err);
    CHECK(r.exit_code == 1);
    CHECK(r.err == kNoKey + "nothing was created\n");
    CHECK_FALSE(fileio::exists(data_dir));
    // With stdout open the same command works.
    auto created = run_raftvault(args);
    REQUIRE(created.exit_code == 0);
    CHECK(run_raftvault({"verify", "--data-dir", data_dir}, {{"RAFTVAULT_UNLOCK_KEY", created.out}}).exit_code == 0);
  }
}

TEST_CASE("unlock-key rotate and autolock on with stdout closed leave the store as it was", "[cli][fds]") {
  temp_dir dir;
  const std::string locked = dir / "locked";
  auto created = run_raftvault({"init", "--data-dir", locked, "--autolock"});
  REQUIRE(created.exit_code == 0);
  const std::map<std::string, std::string> env{{"RAFTVAULT_UNLOCK_KEY", created.out}};
  auto before = tree_digest(locked);
  auto rotated = run_raftvault({"unlock-key", "rotate", "--data-dir", locked}, env, {}, kStdoutClosed);
  CHECK(rotated.exit_code == 1);
  CHECK(rotated.err == kNoKey + "the unlock key of " + locked + " was not changed\n");
  CHECK(tree_digest(locked) == before);
  CHECK(run_raftvault({"status", "--data-dir", locked}, env).exit_code == 0);

  const std::string unlocked = dir / "unlocked";
  REQUIRE(run_raftvault({"init", "--data-dir", unlocked}).exit_code == 0);
  before = tree_digest(unlocked);
  auto on = run_raftvault({"autolock", "on", "--data-dir", unlocked}, {}, {}, kStdoutClosed);
  CHECK(on.exit_code == 1);
  CHECK(on.err == kNoKey + unlocked + " was not locked (autolock stays off)\n");
  CHECK(tree_digest(unlocked) == before);
  CHECK(run_raftvault({"status", "--data-dir", unlocked}).exit_code == 0);  // still opens without a key
}

TEST_CASE("a report for a closed stdout is lost so the command fails and the store is untouched", "[cli][fds]") {
  temp_dir dir;
  const std::string store = dir / "store";
  REQUIRE(run_raftvault({"init", "--data-dir", store}).exit_code == 0);
  for (const std::string command : {"verify", "status", "dump"}) {
    const auto before = tree_digest(store);
    auto r = run_raftvault({command, "--data-dir", store}, {}, {}, kStdoutClosed);
    INFO(command);
    CHECK(r.exit_code == 1);
    CHECK(r.err == "raftvault: " + command + " finished, but its output was lost: stdout is closed\n");
    CHECK(tree_digest(store) == before);
    CHECK(read_bytes(store + "/keys/LOCK").empty());
  }
}

TEST_CASE("init with stderr closed does not write its notes into keys/LOCK", "[cli][fds]") {
  temp_dir dir;
  const std::string store = dir / "store";
  auto r = run_raftvault({"init", "--data-dir", store}, {}, {}, {STDERR_FILENO});
  CHECK(r.exit_code == 0);
  CHECK(read_bytes(store + "/keys/LOCK").empty());
  auto verified = run_raftvault({"verify", "--data-dir", store});
  INFO(verified.err);
  CHECK(verified.exit_code == 0);
}

TEST_CASE("raftvault-bench with stdout closed fails instead of writing its report into a file of its run",
          "[cli][fds]") {
  temp_dir dir;
  const std::string data_dir = dir / "bench";
  REQUIRE(fileio::make_dir(data_dir));
  auto r = run_raftvault({"raw", "--size", "4096", "--count", "4", "--data-dir", data_dir}, {}, {}, kStdoutClosed,
                         "raftvault-bench");
  INFO(r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.err == "raftvault-bench: writing the report to stdout failed\n");
}
