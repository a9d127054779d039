// The files around node.key: a read-only open creates and removes nothing and refuses writes.
#include <catch2/catch.hpp>
#include <sys/stat.h>

#include "fileio/file.h"
#include "keys/key_store.h"
#include "support/test_support.h"

using namespace raftvault;
using namespace raftvault::keys;
namespace rt = raftvault::testing;

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
