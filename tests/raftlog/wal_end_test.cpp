// The recorded end (raftlog/wal_end.h): a clean close records where the log ends, so damage that
// shortens a closed log (a truncation at a frame boundary, a deleted last segment, a damaged
// final frame) is refused instead of read as a log that ended earlier.
#include <catch2/catch.hpp>

#include <filesystem>

#include "raftlog/segment_name.h"
#include "raftlog/wal.h"
#include "raftlog/wal_end.h"
#include "wal_test_support.h"

using namespace raftvault;
using namespace raftvault::testing;

namespace {

// Entries 1..`last` of 300 bytes, 10 per save, in segments of `segment_size`; closed cleanly.
std::string write_closed(const temp_dir& tmp, std::uint64_t last, std::uint64_t segment_size) {
  const std::string dir = tmp / "wal";
  raftlog::wal_options options;
  options.segment_size = segment_size;
  options.etcd_cut_lag = false;
  auto log = raftlog::wal::create(dir, "meta", options);
  REQUIRE(log);
  for (std::uint64_t first = 1; first <= last; first += 10)
    REQUIRE((*log)->save({1, 1, first - 1}, make_entries(first, first + 9, 1, 300)));
  REQUIRE((*log)->close());
  return dir;
}

// XOR one bit, as a single-bit flip on the medium would.
void flip_bit(const std::string& path, std::uint64_t offset, unsigned bit) {
  std::string bytes = read_bytes(path);
  bytes[offset] = static_cast<char>(bytes[offset] ^ (1u << bit));
  write_bytes(path, bytes);
}

void expect_refused(const std::string& dir, const std::vector<std::string>& parts) {
  const std::string before = tree_digest(dir);
  auto read = raftlog::read_wal(dir, {0, 0});
  REQUIRE_FALSE(read);
  auto verified = raftlog::verify_wal(dir, {0, 0});
  REQUIRE_FALSE(verified);
  auto opened = raftlog::wal::open(dir, {0, 0});
  REQUIRE_FALSE(opened);
  for (const error* refused : {&read.error(), &verified.error(), &opened.error()}) {
    CHECK(refused->code() == errc::corruption);
    for (const auto& part : parts) CHECK_THAT(refused->message(), Catch::Contains(part));
  }
  CHECK(tree_digest(dir) == before);
}

}  // namespace

TEST_CASE("a clean close records the end, the writer's open removes it, readers keep it",
          "[wal][end]") {
  temp_dir tmp;
  const std::string dir = write_closed(tmp, 20, 1 << 20);
  const std::string record = dir + "/raftvault.end";
  REQUIRE(std::filesystem::exists(record));
  CHECK((std::filesystem::status(record).permissions() & std::filesystem::perms::all) ==
        (std::filesystem::perms::owner_read | std::filesystem::perms::owner_write));
  auto end = raftlog::read_wal_end(dir);
  REQUIRE(end);
  REQUIRE(end->has_value());
  const auto segment = raftlog::list_segments(dir).back();
  CHECK((*end)->segment_sequence == segment.sequence);
  CHECK((*end)->last_entry == 20);
  // The end of the last frame: 8-aligned, after the last frame's start, zeros from there on.
  const std::string path = dir + "/" + segment.name;
  const std::string bytes = read_bytes(path);
  CHECK((*end)->offset % 8 == 0);
  CHECK((*end)->offset > frame_offsets(path).back());
  CHECK(bytes.find_first_not_of('\0', (*end)->offset) == std::string::npos);
  CHECK(bytes.find_last_not_of('\0') < (*end)->offset);

  REQUIRE(raftlog::read_wal(dir, {0, 0}));
  REQUIRE(raftlog::verify_wal(dir, {0, 0}));
  CHECK(std::filesystem::exists(record));

  auto log = raftlog::wal::open(dir, {0, 0});
  REQUIRE(log);
  CHECK_FALSE(std::filesystem::exists(record));  // the log may change from here on
  REQUIRE((*log)->read_all());
  REQUIRE((*log)->save({1, 1, 20}, make_entries(21, 21, 1, 300)));
  REQUIRE((*log)->close());
  end = raftlog::read_wal_end(dir);
  REQUIRE(end);
  REQUIRE(end->has_value());
  CHECK((*end)->last_entry == 21);
  REQUIRE(raftlog::read_wal(dir, {0, 0}));
}

TEST_CASE("a closed log cut at a frame boundary is refused, after a crash it is a clean end",
          "[wal][end]") {
  temp_dir tmp;
  const std::string dir = write_closed(tmp, 30, 1 << 20);
  const std::string path = dir + "/" + raftlog::list_segments(dir).back().name;
  const auto offsets = frame_offsets(path);
  const std::uint64_t cut = offsets[offsets.size() - 2];  // drops the last hard state
  truncate_file(path, cut);
  expect_refused(dir, {"WAL " + dir + " ends in " + path + " at byte offset " +
                           std::to_string(cut),
                       "closed cleanly at " + path + " at byte offset",
                       "are damaged or cut off", "remove " + dir + "/raftvault.end"});

  // Without the record (a crash leaves none) the same bytes are a log that ended there:
  // etcd's format cannot tell them apart.
  forget_clean_close(dir);
  REQUIRE(raftlog::read_wal(dir, {0, 0}));
}

TEST_CASE("a closed log whose last segment is gone is refused", "[wal][end]") {
  temp_dir tmp;
  const std::string dir = write_closed(tmp, 60, 8192);
  const auto segments = raftlog::list_segments(dir);
  REQUIRE(segments.size() >= 3);
  const std::string last = dir + "/" + segments.back().name;
  SECTION("deleted") { std::filesystem::remove(last); }
  SECTION("renamed") { std::filesystem::rename(last, last + ".renamed"); }
  expect_refused(dir, {"ends in " + dir + "/" + segments[segments.size() - 2].name,
                       "closed cleanly at " + last,
                       "a later segment is missing or was renamed"});
}

TEST_CASE("a recorded end that the log does not match, or a damaged record, is refused",
          "[wal][end]") {
  temp_dir tmp;
  const std::string dir = write_closed(tmp, 20, 1 << 20);
  auto end = raftlog::read_wal_end(dir);
  REQUIRE(end);
  REQUIRE(end->has_value());
  const std::string record = dir + "/raftvault.end";

  SECTION("same end, another CRC chain") {
    raftlog::wal_end other = **end;
    other.crc ^= 1;
    REQUIRE(raftlog::write_wal_end(dir, other));
    expect_refused(dir, {"its CRC chain differs from the recorded one"});
  }
  SECTION("a flipped bit in the record") {
    flip_byte(record, 30);
    expect_refused(dir, {record, "(the WAL's recorded end) is damaged: checksum mismatch"});
  }
  SECTION("a short record") {
    truncate_file(record, 20);
    expect_refused(dir, {record, "20 bytes, expected 56"});
  }
}

TEST_CASE("a flipped type bit in the final records is refused (etcd's CRC skips the type)",
          "[wal][end]") {
  temp_dir tmp;
  const std::string dir = write_closed(tmp, 20, 1 << 20);
  const std::string path = dir + "/" + raftlog::list_segments(dir).back().name;
  const auto offsets = frame_offsets(path);
  // Frames: ..., entries 11..20, hard state. A record starts with tag 0x08 and its type.
  SECTION("the last entry read as a hard state") {
    const std::uint64_t type_byte = offsets[offsets.size() - 2] + 9;
    REQUIRE(read_bytes(path)[type_byte] == 2);
    flip_bit(path, type_byte, 0);  // entry (2) -> state (3)
    expect_refused(dir, {"its last entry record is 19 where it was 20",
                         "a record's type was changed"});
  }
  SECTION("the final hard state read as an entry") {
    const std::uint64_t type_byte = offsets.back() + 9;
    REQUIRE(read_bytes(path)[type_byte] == 3);
    flip_bit(path, type_byte, 0);  // state (3) -> entry (2)
    auto read = raftlog::read_wal(dir, {0, 0});
    REQUIRE_FALSE(read);
    CHECK(read.error().code() == errc::corruption);
  }
}

TEST_CASE("zeros too short for a length word end the last segment, before and after a repair",
          "[wal][end][torn]") {
  temp_dir tmp;
  const std::string dir = write_closed(tmp, 20, 1 << 20);
  auto end = raftlog::read_wal_end(dir);
  REQUIRE(end);
  REQUIRE(end->has_value());
  const std::string path = dir + "/" + raftlog::list_segments(dir).back().name;
  truncate_file(path, (*end)->offset + 7);
  REQUIRE(raftlog::read_wal(dir, {0, 0}));
  {
    auto log = raftlog::wal::open(dir, {0, 0});
    REQUIRE(log);
    auto read = (*log)->read_all();
    REQUIRE(read);
    CHECK(read->entries.size() == 20);
  }
  CHECK_FALSE(std::filesystem::exists(path + ".broken"));  // nothing to repair
  auto again = raftlog::read_wal(dir, {0, 0});
  REQUIRE(again);
  CHECK(again->entries.size() == 20);
}

TEST_CASE("a log that goes on past its recorded end is accepted", "[wal][end]") {
  // Only a writer that does not know the record (etcd on an exported or plaintext store)
  // appends without removing it; the CRC chain still vouches for what follows.
  temp_dir tmp;
  const std::string dir = write_closed(tmp, 20, 1 << 20);
  const std::string stale = read_bytes(dir + "/raftvault.end");
  {
    auto log = raftlog::wal::open(dir, {0, 0});
    REQUIRE(log);
    REQUIRE((*log)->read_all());
    REQUIRE((*log)->save({1, 1, 20}, make_entries(21, 30, 1, 300)));
  }
  write_bytes(dir + "/raftvault.end", stale);
  auto read = raftlog::read_wal(dir, {0, 0});
  REQUIRE(read);
  CHECK(read->entries.size() == 30);
}

TEST_CASE("no end is recorded after a failure or without fsyncs", "[wal][end]") {
  temp_dir tmp;
  const std::string dir = tmp / "wal";
  raftlog::wal_options options;
  options.unsafe_no_sync = true;
  auto log = raftlog::wal::create(dir, "meta", options);
  REQUIRE(log);
  REQUIRE((*log)->save({1, 1, 0}, make_entries(1, 3, 1, 300)));
  REQUIRE((*log)->close());
  CHECK_FALSE(std::filesystem::exists(dir + "/raftvault.end"));
}
