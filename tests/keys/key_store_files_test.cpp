// The files around node.key: a read-only open creates and removes nothing and refuses writes;
// a node.key that is a symbolic link keeps being one, its target replaced atomically.
#include <catch2/catch.hpp>
#include <sys/stat.h>

#include <filesystem>

#include "fileio/file.h"
#include "keys/key_store.h"
#include "support/test_support.h"

using namespace raftvault;
using namespace raftvault::keys;
namespace rt = raftvault::testing;
namespace fs = std::filesystem;

TEST_CASE("a read-only key store creates and removes nothing and refuses writes", "[keys]") {
  rt::temp_dir d;
  const std::string dir = d / "keys";
  REQUIRE(key_store::create(dir, {}).has_value());
  const std::string lock = dir + "/LOCK";
  const std::string temp = dir + "/node.key.tmp";
  REQUIRE(fileio::unlink(lock));
  rt::write_bytes(temp, "left by a crash");
  ::chmod(temp.c_str(), 0600);
  const std::string before = rt::read_bytes(dir + "/node.key");
  {
    auto reader = key_store::open(dir, nullptr, open_mode::read_only);
    REQUIRE(reader.has_value());
    CHECK(reader->status().current_generation == 1u);
    auto refused = reader->request_rotation();
    REQUIRE_FALSE(refused);
    CHECK(refused.error().code() == errc::invalid_argument);
    CHECK(refused.error().message() == "key store " + dir + " was opened read-only");
    CHECK_FALSE(reader->status().needs_rotation);
  }
  CHECK_FALSE(fileio::exists(lock));
  CHECK(fileio::exists(temp));
  CHECK(rt::read_bytes(dir + "/node.key") == before);

  // With the lock file present a reader holds it like anyone else.
  auto writer = key_store::open(dir);
  REQUIRE(writer.has_value());
  CHECK(fileio::exists(lock));
  CHECK_FALSE(fileio::exists(temp));
  auto second = key_store::open(dir, nullptr, open_mode::read_only);
  REQUIRE_FALSE(second.has_value());
  CHECK(second.error().code() == errc::locked);
}

TEST_CASE("a symlinked node.key stays a link and its target gets every new state", "[keys]") {
  rt::temp_dir d;
  const std::string dir = d / "keys";
  REQUIRE(key_store::create(dir, {}).has_value());
  REQUIRE(fileio::make_dir(d / "volume"));
  const std::string target = d / "volume/node.key";
  const std::string link = dir + "/node.key";
  fs::rename(link, target);
  fs::create_symlink("../volume/node.key", link);  // relative, as an operator might write it

  auto store = key_store::open(dir);
  REQUIRE(store.has_value());
  CHECK(store->key_target_path() == fs::canonical(target).string());
  REQUIRE(store->request_rotation());
  REQUIRE(store->prepare_rotation());
  auto kek = store->set_autolock(true);
  REQUIRE(kek.has_value());
  REQUIRE(kek->has_value());
  const auto expected = store->status();
  store = error(errc::closed, "released");

  CHECK(fs::is_symlink(link));
  CHECK(fs::read_symlink(link) == "../volume/node.key");
  CHECK(rt::list_files(d / "volume") == std::vector<std::string>{"node.key"});
  CHECK_THAT(rt::read_bytes(target), Catch::Contains("-----BEGIN ENCRYPTED PRIVATE KEY-----"));
  struct stat st {};
  REQUIRE(::stat(target.c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0600);
  auto reopened = key_store::open(dir, &**kek);
  REQUIRE(reopened.has_value());
  CHECK(reopened->status().kek_version == expected.kek_version);
  CHECK(reopened->status().pending_generation == expected.pending_generation);
  CHECK(reopened->status().locked);
}
