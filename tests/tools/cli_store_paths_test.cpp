// Directories that must not overlap (import's new store inside its source, export's plaintext
// copy inside the store or the store inside it), compared as the file system resolves them;
// and an export killed midway, whose partial copies a rerun names and replaces.
#include <filesystem>

#include "cli_fixtures.h"
#include "fileio/crash_point.h"
#include "fileio/file.h"

using namespace raftvault;
using namespace raftvault::testing;

namespace {

// A usage error (exit 2) naming both paths, and nothing created or changed.
void expect_usage_error(const std::string& watched, const std::vector<std::string>& args,
                        const std::string& message, const std::string& not_created) {
  const auto before = tree_digest(watched);
  auto r = run_raftvault(args);
  INFO(r.err);
  CHECK(r.exit_code == 2);
  CHECK(one_line(r.err));
  CHECK_THAT(r.err, Catch::Contains(message));
  CHECK(tree_digest(watched) == before);
  CHECK_FALSE(fileio::exists(not_created));
}

}  // namespace

TEST_CASE("import refuses a data dir inside the directories it imports", "[cli][paths]") {
  vector_copy source;
  const std::string inside_wal = source.wal + "/store";
  expect_usage_error(source.dir.path(), {"import", "--wal-dir", source.wal, "--data-dir", inside_wal},
                     "--data-dir " + inside_wal + " lies inside --wal-dir " + source.wal, inside_wal);
  const std::string inside_snap = source.snap + "/deeper/store";
  expect_usage_error(source.dir.path(),
                     {"import", "--wal-dir", source.wal, "--snap-dir", source.snap, "--data-dir", inside_snap},
                     "--data-dir " + inside_snap + " lies inside --snap-dir " + source.snap, source.snap + "/deeper");
  // The same directory reached through "..", and through a symbolic link to the source.
  const std::string dotted = source.dir / "elsewhere/../plain-wal/new";
  expect_usage_error(source.dir.path(), {"import", "--wal-dir", source.wal, "--data-dir", dotted},
                     "lies inside --wal-dir", source.wal + "/new");
  const std::string link = source.dir / "link-to-wal";
  std::filesystem::create_directory_symlink(source.wal, link);
  expect_usage_error(source.dir.path(), {"import", "--wal-dir", source.wal, "--data-dir", link + "/new"},
                     "lies inside --wal-dir", source.wal + "/new");
  // Beside the source is fine.
  CHECK(run_raftvault({"import", "--wal-dir", source.wal, "--data-dir", source.dir / "store"}).exit_code == 0);
}

TEST_CASE("export refuses an --out inside the store, and a store inside --out", "[cli][paths]") {
  locked_store s;
  const std::map<std::string, std::string> env{{"RAFTVAULT_UNLOCK_KEY", s.key}};
  const std::string inside = s.store + "/plain";
  expect_usage_error(s.store, {"export", "--data-dir", s.store, "--out", inside},
                     "--out " + inside + " lies inside --data-dir " + s.store, inside);
  const std::string itself = s.store + "/keys/..";
  expect_usage_error(s.store, {"export", "--data-dir", s.store, "--out", itself},
                     "--out " + itself + " lies inside --data-dir " + s.store, s.store + "/wal");
  expect_usage_error(s.store, {"export", "--data-dir", s.store, "--out", s.source.dir.path()},
                     "--data-dir " + s.store + " lies inside --out " + s.source.dir.path(), s.source.dir / "wal");
  CHECK(run_raftvault({"export", "--data-dir", s.store, "--out", s.source.dir / "out"}, env).exit_code == 0);
}

TEST_CASE("a rerun of an export killed midway names and replaces its partial copies", "[cli][paths]") {
  locked_store s;
  const std::map<std::string, std::string> env{{"RAFTVAULT_UNLOCK_KEY", s.key}};
  const std::string reference = s.source.dir / "reference";
  REQUIRE(run_raftvault({"export", "--data-dir", s.store, "--out", reference}, env).exit_code == 0);

  const std::string point = GENERATE(std::string("migration.temp_written"), std::string("migration.snap_renamed"));
  INFO("killed at " << point);
  const std::string out = s.source.dir / "out";
  auto with_crash = env;
  with_crash["RAFTVAULT_CRASH_AT"] = point;
  REQUIRE(run_raftvault({"export", "--data-dir", s.store, "--out", out}, with_crash).exit_code == fileio::kCrashExitCode);
  const std::string leftover_snap = point == "migration.temp_written" ? out + "/snap.migrating" : out + "/snap";
  REQUIRE(fileio::exists(out + "/wal.migrating"));
  REQUIRE(fileio::exists(leftover_snap));

  SECTION("next to someone's file it is refused, naming what is there") {
    write_bytes(out + "/notes.txt", "mine");
    const auto before = tree_digest(out);
    auto refused = run_raftvault({"export", "--data-dir", s.store, "--out", out}, env);
    CHECK(refused.exit_code == 1);
    CHECK(one_line(refused.err));
    CHECK_THAT(refused.err, Catch::Contains("--out " + out + " exists and is not an empty directory (it holds " +
                                            out + "/notes.txt): choose a new path"));
    CHECK(tree_digest(out) == before);
    CHECK(fileio::exists(out + "/wal.migrating"));
  }
  SECTION("alone they are named, removed and the export done") {
    auto rerun = run_raftvault({"export", "--data-dir", s.store, "--out", out}, env);
    INFO(rerun.err);
    REQUIRE(rerun.exit_code == 0);
    CHECK_THAT(rerun.err, Catch::Contains("removing what an interrupted export to " + out +
                                          " left there (partial copies): ") &&
                              Catch::Contains(out + "/wal.migrating") && Catch::Contains(leftover_snap));
    CHECK(list_files(out).empty());
    CHECK(tree_digest(out + "/wal") == tree_digest(reference + "/wal"));
    CHECK(tree_digest(out + "/snap") == tree_digest(reference + "/snap"));
    CHECK_FALSE(fileio::exists(out + "/wal.migrating"));
    CHECK_FALSE(fileio::exists(out + "/snap.migrating"));
  }
}
