// init and import --autolock killed at each of their crash points (RAFTVAULT_CRASH_AT,
// fileio/crash_point.h). What a killed run leaves may be a complete store locked with an unlock
// key that was never shown: no command may take it for a finished store, and the same command
// run again removes exactly what the killed run created (never the user's files), says so, and
// creates the store.
#include <filesystem>
#include <set>

#include "cli_fixtures.h"
#include "fileio/crash_point.h"
#include "fileio/file.h"

using namespace raftvault;
using namespace raftvault::testing;
namespace fs = std::filesystem;

namespace {

std::set<std::string> top_level(const std::string& dir) {
  std::set<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) names.insert(entry.path().filename().string());
  return names;
}

// Returns the unlock key the rerun printed.
std::string crash_and_rerun(const std::string& command, const std::vector<std::string>& args, const std::string& data_dir,
                     const std::string& point, const std::set<std::string>& users_files) {
  INFO(command << " killed at " << point);
  auto crashed = run_raftvault(args, {{"RAFTVAULT_CRASH_AT", point}});
  INFO(crashed.err);
  REQUIRE(crashed.exit_code == fileio::kCrashExitCode);
  REQUIRE(fileio::exists(data_dir + "/.unfinished-store"));

  auto status = run_raftvault({"status", "--data-dir", data_dir});
  CHECK(status.exit_code == 1);
  CHECK(status.err == "raftvault: store " + data_dir +
                          " is unfinished: the init or import creating it is running or was interrupted (" +
                          data_dir + "/.unfinished-store is there), so its unlock key may never have been shown: "
                          "run that command again to start over, or remove " + data_dir + "\n");

  auto rerun = run_raftvault(args);
  INFO(rerun.err);
  REQUIRE(rerun.exit_code == 0);
  CHECK_THAT(rerun.err, Catch::StartsWith("raftvault: " + data_dir + " held a store left unfinished by an interrupted '" +
                                          command + "' (its unlock key, if any, was never shown): removed what that "
                                                    "run created; creating the store again\n"));
  auto verified = run_raftvault({"verify", "--data-dir", data_dir}, {{"RAFTVAULT_UNLOCK_KEY", rerun.out}});
  INFO(verified.err);
  CHECK(verified.exit_code == 0);
  std::set<std::string> expected = users_files;
  for (const char* name : {"keys", "wal-v3-encrypted", "snap-v3-encrypted"}) expected.insert(name);
  CHECK(top_level(data_dir) == expected);
  return rerun.out;
}

}  // namespace

TEST_CASE("init --autolock killed before its key was shown is started over by the next init", "[cli][crash]") {
  const std::string point =
      GENERATE(std::string("new_store.journal_written"), std::string("keys.persist.after_replace"),
               std::string("encrypted_log.create.snap_dir_made"), std::string("wal.create.before_rename"),
               std::string("wal.create.after_rename"), std::string("new_store.complete"),
               std::string("new_store.key_shown"));
  temp_dir dir;
  const std::string fresh = dir / "fresh";
  crash_and_rerun("init", {"init", "--data-dir", fresh, "--autolock", "--segment-size", "262144"}, fresh, point, {});

  // In a directory of the user's, their file stays through both runs.
  const std::string existing = dir / "existing";
  REQUIRE(fileio::make_dir(existing));
  write_bytes(existing + "/notes.txt", "the user's own file\n");
  crash_and_rerun("init", {"init", "--data-dir", existing, "--autolock", "--segment-size", "262144"}, existing, point,
                  {"notes.txt"});
  CHECK(read_bytes(existing + "/notes.txt") == "the user's own file\n");
}

TEST_CASE("import --autolock killed before its key was shown is started over by the next import", "[cli][crash]") {
  const std::string point =
      GENERATE(std::string("new_store.journal_written"), std::string("keys.persist.after_replace"),
               std::string("migration.temp_written"), std::string("migration.snap_renamed"),
               std::string("migration.wal_renamed"), std::string("migration.marker_removed"),
               std::string("new_store.complete"), std::string("new_store.key_shown"));
  vector_copy source;
  const auto args = [&source](const std::string& data_dir) {
    return std::vector<std::string>{"import", "--wal-dir", source.wal, "--snap-dir", source.snap, "--data-dir",
                                    data_dir, "--autolock", "--segment-size", "262144"};
  };
  const std::string reference = source.dir / "reference";
  REQUIRE(run_raftvault({"import", "--wal-dir", source.wal, "--snap-dir", source.snap, "--data-dir", reference,
                         "--segment-size", "262144"})
              .exit_code == 0);
  const auto expected = run_raftvault({"dump", "--data-dir", reference, "--json"});
  REQUIRE(expected.exit_code == 0);

  const std::string fresh = source.dir / "fresh";
  const std::string key = crash_and_rerun("import", args(fresh), fresh, point, {});
  CHECK(run_raftvault({"dump", "--data-dir", fresh, "--json"}, {{"RAFTVAULT_UNLOCK_KEY", key}}).out == expected.out);

  const std::string existing = source.dir / "existing";
  REQUIRE(fileio::make_dir(existing));
  write_bytes(existing + "/notes.txt", "the user's own file\n");
  crash_and_rerun("import", args(existing), existing, point, {"notes.txt"});
  CHECK(read_bytes(existing + "/notes.txt") == "the user's own file\n");
}

TEST_CASE("a running init is not taken for an interrupted one", "[cli][crash]") {
  // The live run holds .unfinished-store locked; a second init refuses and removes nothing.
  temp_dir dir;
  const std::string data_dir = dir / "store";
  REQUIRE(fileio::make_dir(data_dir));
  write_bytes(data_dir + "/.unfinished-store", "raftvault unfinished store v1\ncommand \"init\"\ndata-dir existed\nend\n");
  auto held = fileio::exclusive_lock::acquire(data_dir + "/.unfinished-store");
  REQUIRE(held);
  const auto before = tree_digest(data_dir);
  auto second = run_raftvault({"init", "--data-dir", data_dir, "--autolock"});
  CHECK(second.exit_code == 1);
  CHECK(second.err == "raftvault: another init or import is creating a store in " + data_dir + " (" + data_dir +
                          "/.unfinished-store is locked by a running process)\n");
  CHECK(second.out.empty());
  CHECK(tree_digest(data_dir) == before);
}
