// A store the service creates itself (create-if-missing, actors/store_creation.h): a creation
// that dies at any step leaves nothing the next start refuses, and a key file that no creation
// journal accounts for is never thrown away.
#include <catch2/catch.hpp>

#include <filesystem>

#include "actors/pipeline.h"
#include "actors/store_creation.h"
#include "fileio/crash_point.h"
#include "fileio/file.h"
#include "raftlog/encryption_fixtures.h"
#include "service_model.h"

using namespace raftvault;
using namespace raftvault::actors;
using raftvault::testing::temp_dir;
using raftvault::testing::test_store_options;

namespace {

namespace fs = std::filesystem;

// Opens (creating if needed), appends entry 1 and closes: a start that works.
void start_and_append(const pipeline_options& options) {
  auto opened = open_store(options);
  REQUIRE(opened);
  REQUIRE(opened->log->save({1, 0, 1}, testing::make_entries(1, 1, 1, 100)));
  REQUIRE(opened->log->close());
}

}  // namespace

TEST_CASE("a creation that died before its WAL is discarded and made again by the next start",
          "[store_creation]") {
  const std::string point = GENERATE(std::string("store_creation.journal_made"),
                                     std::string("keys.persist.after_replace"),
                                     std::string("encrypted_log.create.snap_dir_made"),
                                     std::string("wal.create.before_rename"));
  INFO(point);
  temp_dir dir;
  auto options = test_store_options(dir, 256 * 1024);
  const int code = testing::run_child_crashing_at(point, [&] { (void)open_store(options); });
  REQUIRE(code == fileio::kCrashExitCode);
  REQUIRE(fs::exists(options.data_dir + "/" + kCreatingStoreName));
  REQUIRE_FALSE(raftlog::detect_layout(options.data_dir));

  start_and_append(options);
  CHECK_FALSE(fs::exists(options.data_dir + "/" + kCreatingStoreName));
  auto again = open_store(options);
  REQUIRE(again);
  CHECK(again->recovered.entries.size() == 1);
}

TEST_CASE("a creation that died after its WAL leaves a store that opens, and the journal goes",
          "[store_creation]") {
  temp_dir dir;
  auto options = test_store_options(dir, 256 * 1024);
  const int code = testing::run_child_crashing_at("store_creation.committed",
                                                  [&] { (void)open_store(options); });
  REQUIRE(code == fileio::kCrashExitCode);
  REQUIRE(fs::exists(options.data_dir + "/" + kCreatingStoreName));
  const std::string key_file = options.data_dir + "/keys/node.key";
  const std::string key_before = testing::read_bytes(key_file);

  start_and_append(options);
  CHECK_FALSE(fs::exists(options.data_dir + "/" + kCreatingStoreName));
  CHECK(testing::read_bytes(key_file) == key_before);  // the same store, not a new one
}

TEST_CASE("a key file without a WAL and without a journal is refused and kept",
          "[store_creation]") {
  temp_dir dir;
  auto options = test_store_options(dir, 256 * 1024);
  start_and_append(options);
  // The WAL is lost (damage, a wrong copy): the keys may be all that opens the snapshots.
  fs::remove_all(options.data_dir + "/wal-v3-encrypted");
  const std::string key_before = testing::read_bytes(options.data_dir + "/keys/node.key");
  auto opened = open_store(options);
  REQUIRE_FALSE(opened);
  CHECK(opened.error().code() == errc::already_exists);
  CHECK(testing::read_bytes(options.data_dir + "/keys/node.key") == key_before);
}

TEST_CASE("a dead creation's journal next to snapshot files removes nothing", "[store_creation]") {
  temp_dir dir;
  auto options = test_store_options(dir, 256 * 1024);
  REQUIRE(testing::run_child_crashing_at("encrypted_log.create.snap_dir_made",
                                         [&] { (void)open_store(options); }) ==
          fileio::kCrashExitCode);
  const std::string stray = options.data_dir + "/snap-v3-encrypted/0000000000000001-0000000000000005.snap";
  testing::write_bytes(stray, "not made by a creation");
  auto opened = open_store(options);
  REQUIRE_FALSE(opened);
  CHECK(opened.error().code() == errc::already_exists);
  CHECK_THAT(opened.error().message(), Catch::Contains("holds files no creation makes"));
  CHECK(fs::exists(stray));
  CHECK(fs::exists(options.data_dir + "/keys/node.key"));
}

TEST_CASE("a creation under way in another process is not touched", "[store_creation]") {
  temp_dir dir;
  auto options = test_store_options(dir, 256 * 1024);
  fs::create_directories(options.data_dir);
  auto other = fileio::exclusive_lock::acquire(options.data_dir + "/" + kCreatingStoreName);
  REQUIRE(other);
  auto opened = open_store(options);
  REQUIRE_FALSE(opened);
  CHECK(opened.error().code() == errc::locked);
  CHECK_THAT(opened.error().message(), Catch::Contains("another process is creating a store in " +
                                                       options.data_dir));
  CHECK_FALSE(fs::exists(options.data_dir + "/keys"));
}
