// Directories that must not overlap (import's new store inside its source, export's plaintext
// copy inside the store or the store inside it), compared as the file system resolves them.
#include <filesystem>

#include "cli_fixtures.h"
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
