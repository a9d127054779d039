// The key file through the CLI: damage to an unlocked node.key found by verify without any key,
// an older file without a digest, a node.key that is a symbolic link, and an empty
// RAFTVAULT_UNLOCK_KEY.
#include <sys/stat.h>

#include <filesystem>

#include "cli_fixtures.h"
#include "fileio/file.h"
#include "keys/key_file_edits.h"

using namespace raftvault;
using namespace raftvault::testing;

namespace {

struct unlocked_store {
  vector_copy source;
  std::string store = source.dir / "store";
  std::string key_path = store + "/keys/node.key";
  explicit unlocked_store(const std::string& cipher = "xchacha20poly1305") {
    auto imported = run_raftvault({"import", "--segment-size", "262144", "--wal-dir", source.wal, "--snap-dir",
                                   source.snap, "--data-dir", store, "--cipher", cipher});
    REQUIRE(imported.exit_code == 0);
  }
};

// The character `offset` bytes after `marker` changed to another one valid at that place.
std::string flipped_after(std::string text, const std::string& marker, std::size_t offset) {
  auto at = text.find(marker);
  REQUIRE(at != std::string::npos);
  at += marker.size() + offset;
  text[at] = text[at] == '0' ? '1' : (text[at] == 'A' ? 'B' : 'A');
  return text;
}

}  // namespace

TEST_CASE("verify finds damage anywhere in an unlocked key file, without a key", "[cli][keys]") {
  const std::string cipher = GENERATE(std::string("xchacha20poly1305"), std::string("none"));
  INFO("cipher " << cipher);
  unlocked_store s(cipher);
  const std::string good = read_bytes(s.key_path);
  struct damage {
    const char* where;
    std::string marker;
    std::size_t offset;
  };
  const std::vector<damage> cases{{"TLS key", "-----BEGIN PRIVATE KEY-----\n", 100},
                                  {"kek-version", "kek-version: ", 0},
                                  {"raft-dek", "raft-dek: ", 12}};
  for (const auto& c : cases) {
    INFO(c.where);
    write_bytes(s.key_path, flipped_after(good, c.marker, c.offset));
    expect_refusal(s.store, {"verify", "--data-dir", s.store}, {},
                   "verify " + s.store + ": key file " + s.key_path +
                       " is damaged (digest mismatch): it changed after raftvault wrote it");
  }
  write_bytes(s.key_path, good);
  auto verified = run_raftvault({"verify", "--data-dir", s.store});
  CHECK(verified.exit_code == 0);
  CHECK_THAT(verified.out, Catch::Contains("unlocked, digest checked"));
}

TEST_CASE("a key file without a digest verifies with a note and gets one at its next write",
          "[cli][keys]") {
  unlocked_store s;
  const std::string old_format = without_digest_line(read_bytes(s.key_path));
  write_bytes(s.key_path, old_format);
  auto verified = run_raftvault({"verify", "--data-dir", s.store});
  CHECK(verified.exit_code == 0);
  CHECK_THAT(verified.out, Catch::Contains("the key file has no raftvault-digest line (an older raftvault wrote it)") &&
                               Catch::Contains("result: ok"));
  CHECK(read_bytes(s.key_path) == old_format);  // verify only reads
  REQUIRE(run_raftvault({"rotate-dek", "--data-dir", s.store}).exit_code == 0);
  const std::string rewritten = read_bytes(s.key_path);
  CHECK(redigested(rewritten) == rewritten);
  verified = run_raftvault({"verify", "--data-dir", s.store});
  CHECK(verified.exit_code == 0);
  CHECK_THAT(verified.out, !Catch::Contains("raftvault-digest"));
}

TEST_CASE("unlock-key rotate through a symlinked node.key replaces the link's target", "[cli][keys]") {
  locked_store s;
  const std::string elsewhere = s.source.dir / "key-volume";
  REQUIRE(fileio::make_dir(elsewhere));
  const std::string target = elsewhere + "/node.key";
  const std::string link = s.store + "/keys/node.key";
  std::filesystem::rename(link, target);
  std::filesystem::create_symlink(target, link);
  const std::string old_key_file = save_key(s.source.dir, "old.key", s.key);

  auto rotated = run_raftvault({"unlock-key", "rotate", "--data-dir", s.store, "--unlock-key-file", old_key_file});
  REQUIRE(rotated.exit_code == 0);
  const std::string new_key_file = save_key(s.source.dir, "new.key", rotated.out);
  CHECK(std::filesystem::is_symlink(link));
  CHECK(std::filesystem::read_symlink(link) == target);
  CHECK_THAT(read_bytes(target), Catch::Contains("kek-version: 2\n"));
  CHECK(list_files(s.store + "/keys") == std::vector<std::string>{"LOCK", "node.key"});  // no temp file
  CHECK(list_files(elsewhere) == std::vector<std::string>{"node.key"});
  struct stat st {};
  REQUIRE(::stat(target.c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0600);
  expect_refusal(s.store, {"status", "--data-dir", s.store, "--unlock-key-file", old_key_file}, {},
                 "wrong unlock key for key file " + link);
  CHECK(run_raftvault({"verify", "--data-dir", s.store, "--unlock-key-file", new_key_file}).exit_code == 0);
}

TEST_CASE("RAFTVAULT_UNLOCK_KEY set but empty is no key: fine when unlocked, named when locked",
          "[cli][keys]") {
  const std::map<std::string, std::string> empty{{"RAFTVAULT_UNLOCK_KEY", ""}};
  {
    unlocked_store s;
    for (const auto& cmd : std::vector<std::vector<std::string>>{{"status"}, {"dump"}, {"verify"}, {"rotate-dek"}}) {
      auto r = run_raftvault(with_dir(cmd, s.store), empty);
      INFO(cmd[0] << ": " << r.err);
      CHECK(r.exit_code == 0);
    }
  }
  locked_store s;
  expect_refusal(s.store, with_dir({"status"}, s.store), empty,
                 "store " + s.store + " is locked: pass --unlock-key-file FILE or set RAFTVAULT_UNLOCK_KEY "
                 "(it is set, but empty)");
}
