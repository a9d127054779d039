// The torn-tail rule (docs/wal-format.md, "Torn tails"): damage in the last segment is repaired
// only when it can be an interrupted write. A flipped length word or a zeroed sector with
// records after it, or a repair that would drop committed entries, is corruption: an error
// naming file and offset, and no file changed.
#include <catch2/catch.hpp>

#include <sys/resource.h>

#include <filesystem>

#include "raftlog/wal.h"
#include "wal_test_support.h"

using namespace raftvault;
using namespace raftvault::testing;

namespace {

const char* kSegment = "0000000000000000-0000000000000000.wal";

// One 1 MiB segment: metadata, entries 1..40 of 300 bytes in 4 saves, commit 40.
std::string write_one_segment(const temp_dir& tmp) {
  const std::string dir = tmp / "wal";
  raftlog::wal_options options;
  options.segment_size = 1 << 20;
  auto log = raftlog::wal::create(dir, "meta", options);
  REQUIRE(log);
  for (std::uint64_t first = 1; first <= 40; first += 10)
    REQUIRE((*log)->save({1, 1, first + 9}, make_entries(first, first + 9, 1, 300)));
  REQUIRE((*log)->close());
  return dir;
}

// open, read_wal and verify_wal all refuse the directory with `code`, naming `parts`; nothing
// in it changes (the lock file aside).
void expect_refused(const std::string& dir, const std::vector<std::string>& parts) {
  const std::string before = wal_digest(dir);
  auto opened = raftlog::wal::open(dir, {0, 0});
  REQUIRE_FALSE(opened);
  auto read = raftlog::read_wal(dir, {0, 0});
  REQUIRE_FALSE(read);
  for (const auto* err : {&opened.error(), &read.error()}) {
    CHECK(err->code() == errc::corruption);
    for (const auto& part : parts) CHECK_THAT(err->message(), Catch::Contains(part));
  }
  CHECK(wal_digest(dir) == before);
  CHECK_FALSE(std::filesystem::exists(dir + "/" + kSegment + ".broken"));
}

std::uint64_t data_end(const std::string& path) {
  const std::string bytes = read_bytes(path);
  return bytes.find_last_not_of('\0') + 1;
}

}  // namespace

TEST_CASE("a flipped padding flag in the last segment is corruption, not a torn tail",
          "[wal][torn]") {
  temp_dir tmp;
  const std::string dir = write_one_segment(tmp);
  const std::string path = dir + "/" + kSegment;
  // The first padded frame after the first two: clearing its flag shifts the walk by its
  // padding, into the middle of the next frame.
  const auto offsets = frame_offsets(path);
  const std::string bytes = read_bytes(path);
  std::uint64_t flag_at = 0;
  for (std::size_t i = 2; i < offsets.size() && flag_at == 0; ++i)
    if (static_cast<unsigned char>(bytes[offsets[i] + 7]) & 0x80) flag_at = offsets[i] + 7;
  REQUIRE(flag_at != 0);
  write_bytes(path, bytes.substr(0, flag_at) +
                        static_cast<char>(bytes[flag_at] ^ 0x80) + bytes.substr(flag_at + 1));
  expect_refused(dir, {path, "at byte offset"});
  CHECK_FALSE(raftlog::verify_wal(dir, {0, 0}));
}

TEST_CASE("a zeroed length word with records after it is corruption, not the end of the log",
          "[wal][torn]") {
  temp_dir tmp;
  const std::string dir = write_one_segment(tmp);
  const std::string path = dir + "/" + kSegment;
  const auto offsets = frame_offsets(path);
  const std::uint64_t middle = offsets[offsets.size() / 2];
  zero_range(path, middle, 8);
  expect_refused(dir, {path, "at byte offset " + std::to_string(middle),
                       "a well-formed frame follows"});
}

TEST_CASE("a zeroed sector in the middle of the last segment is corruption", "[wal][torn]") {
  temp_dir tmp;
  const std::string dir = write_one_segment(tmp);
  const std::string path = dir + "/" + kSegment;
  const std::uint64_t sector = data_end(path) / 2 / 512 * 512;
  zero_range(path, sector, 512);
  expect_refused(dir, {path, "at byte offset", "well-formed frame follows"});
}

TEST_CASE("a torn last frame followed by non-zero bytes is corruption", "[wal][torn]") {
  temp_dir tmp;
  const std::string dir = tmp / "wal";
  {
    raftlog::wal_options options;
    options.segment_size = 1 << 20;
    auto log = raftlog::wal::create(dir, "meta", options);
    REQUIRE(log);
    REQUIRE((*log)->save({1, 1, 39}, make_entries(1, 39, 1, 300)));
    REQUIRE((*log)->save({}, make_entries(40, 40, 1, 3000)));
    REQUIRE((*log)->close());
  }
  const std::string path = dir + "/" + kSegment;
  const std::uint64_t last_frame = frame_offsets(path).back();
  const std::uint64_t end = data_end(path);
  // Entry 40's frame never got past its first KiB: whole sectors of it read as zeros.
  const std::uint64_t cut = last_frame + 1024;
  zero_range(path, cut, end - cut);

  SECTION("after a clean close the same damage is refused: nothing was being written") {
    expect_refused(dir, {path, "torn write", "that is damage, not a torn write",
                         "closed cleanly at " + path + " at byte offset " +
                             std::to_string((end + 7) / 8 * 8)});
  }
  SECTION("after a crash, only zeros after the torn frame: a torn tail, repaired") {
    forget_clean_close(dir);
    auto opened = raftlog::wal::open(dir, {0, 0});
    REQUIRE(opened);
    auto read = (*opened)->read_all();
    REQUIRE(read);
    CHECK(read->entries.size() == 39);
    CHECK(std::filesystem::exists(path + ".broken"));
  }
  SECTION("a stray byte after the torn frame's end: corruption") {
    std::string bytes = read_bytes(path);
    bytes[end + 4096] = '\x01';
    write_bytes(path, bytes);
    expect_refused(dir, {path, "non-zero bytes at byte offset " + std::to_string(end + 4096)});
  }
}

TEST_CASE("a torn tail that would drop committed entries is refused", "[wal][torn]") {
  temp_dir tmp;
  const std::string dir = tmp / "wal";
  {
    raftlog::wal_options options;
    options.segment_size = 1 << 20;
    auto log = raftlog::wal::create(dir, "meta", options);
    REQUIRE(log);
    // A follower told that 1..6 are committed while it holds 1..3 (raft's commit can run
    // ahead of a batch), then 4..6 arrive.
    REQUIRE((*log)->save({1, 1, 6}, make_entries(1, 3, 1, 300)));
    REQUIRE((*log)->save({}, make_entries(4, 6, 1, 3000)));
    REQUIRE((*log)->close());
  }
  const std::string path = dir + "/" + kSegment;
  const auto offsets = frame_offsets(path);
  truncate_file(path, offsets.back() + 1000);  // entry 6 torn
  forget_clean_close(dir);  // a crash: the commit rule alone refuses it
  expect_refused(dir, {path, "torn write", "would drop committed entries 6..6"});
}

TEST_CASE("a log that ends below its recorded commit is refused", "[wal][torn]") {
  temp_dir tmp;
  const std::string dir = tmp / "wal";
  {
    auto log = raftlog::wal::create(dir, "meta");
    REQUIRE(log);
    REQUIRE((*log)->save({1, 1, 9}, make_entries(1, 3, 1, 300)));
    REQUIRE((*log)->close());
  }
  expect_refused(dir, {"committed entries 4..9 are missing", kSegment});
}

TEST_CASE("release_to past the newest snapshot is refused and deletes nothing", "[wal][torn]") {
  temp_dir tmp;
  const std::string dir = tmp / "wal";
  raftlog::wal_options options;
  options.segment_size = 4096;
  options.etcd_cut_lag = false;
  auto log = raftlog::wal::create(dir, "meta", options);
  REQUIRE(log);
  for (std::uint64_t i = 1; i <= 60; i += 4)
    REQUIRE((*log)->save({1, 1, i + 3}, make_entries(i, i + 3, 1, 1000)));
  REQUIRE((*log)->save_snapshot({20, 1}));
  const auto before = list_files(dir);
  REQUIRE(before.size() > 5);
  auto released = (*log)->release_to(50);
  REQUIRE_FALSE(released);
  CHECK(released.error().code() == errc::invalid_argument);
  CHECK_THAT(released.error().message(), Catch::Contains("newest durable snapshot is at index 20"));
  auto detached = (*log)->detach_released(50);
  REQUIRE_FALSE(detached);
  CHECK(list_files(dir) == before);
  REQUIRE((*log)->release_to(20));
  CHECK(list_files(dir).size() < before.size());
  REQUIRE((*log)->close());
}

TEST_CASE("decoding a 2 GiB sparse last segment reads no more than a window of it",
          "[wal][torn]") {
  temp_dir tmp;
  const std::string dir = write_one_segment(tmp);
  const std::string path = dir + "/" + kSegment;
  truncate_file(path, std::uint64_t{2} << 30);
  rusage before{};
  REQUIRE(getrusage(RUSAGE_SELF, &before) == 0);
  auto read = raftlog::read_wal(dir, {0, 0});
  REQUIRE(read);
  CHECK(read->entries.size() == 40);
  CHECK(raftlog::verify_wal(dir, {0, 0}));
  rusage after{};
  REQUIRE(getrusage(RUSAGE_SELF, &after) == 0);
  // ru_maxrss is in KiB; the whole file would be 2 GiB.
  CHECK(after.ru_maxrss - before.ru_maxrss < 256 * 1024);
}
