// Damaged WAL directories and failing disks. Each case asserts the outcome (repaired or which
// error), the data that survives, and the error text (file and byte offset).
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <cstring>

#include "fileio/fault_injection.h"
#include "fileio/file.h"
#include "raftlog/segment_name.h"
#include "raftlog/wal.h"
#include "raftlog/wal_encoder.h"
#include "wal_test_support.h"

using namespace raftvault;
using namespace raftvault::testing;

namespace {

const char* kLast = "0000000000000003-0000000000000079.wal";
const char* kSecond = "0000000000000001-0000000000000039.wal";

std::uint64_t record_offset(std::size_t segment, std::size_t record) {
  return expected_json()["datasets"]["plain"]["segments"][segment]["records"][record]["offset"]
      .as_uint();
}

// The tree without the writer's lock file (open creates it; it is not part of the format).
std::string digest_without_lock(const std::string& dir) {
  const std::string digest = tree_digest(dir);
  std::string out;
  for (std::size_t start = 0; start < digest.size();) {
    auto end = digest.find('\n', start);
    if (end == std::string::npos) end = digest.size();
    const auto line = digest.substr(start, end - start + 1);
    if (line.find("raftvault.lock") == std::string::npos) out += line;
    start = end + 1;
  }
  return out;
}

// The error open, read_wal and (unless `verify_sees_it` is false: etcd's Verify skips entry
// records) verify_wal give for a damaged directory, which none of them changes.
void expect_refused(const std::string& dir, errc code, const std::vector<std::string>& parts,
                    bool verify_sees_it = true) {
  const std::string before = digest_without_lock(dir);
  auto opened = raftlog::wal::open(dir, {0, 0});
  REQUIRE_FALSE(opened);
  auto read = raftlog::read_wal(dir, {0, 0});
  REQUIRE_FALSE(read);
  std::vector<const error*> errors{&opened.error(), &read.error()};
  auto verified = raftlog::verify_wal(dir, {0, 0});
  CHECK(verified.has_value() == !verify_sees_it);
  if (!verified) errors.push_back(&verified.error());
  for (const auto* err : errors) {
    CHECK(err->code() == code);
    for (const auto& part : parts) CHECK_THAT(err->message(), Catch::Contains(part));
  }
  CHECK(digest_without_lock(dir) == before);
}

}  // namespace

TEST_CASE("a torn tail of the last segment is repaired, keeping a .broken copy", "[wal][fault]") {
  struct torn_case {
    const char* what;
    std::size_t record;   // record of the last segment where the file now ends
    std::uint64_t delta;  // bytes of it that survive
    std::uint64_t last_index;
    hard_state state;
    bool repaired;
  };
  const torn_case cases[] = {
      {"inside the last length word", 12, 3, 124, {4, 2, 112}, true},
      {"right after a length word", 11, 8, 123, {4, 2, 112}, true},
      {"in the middle of an entry", 10, 100, 122, {4, 2, 112}, true},
      {"inside the rewritten term-4 entries", 4, 40, 117, {3, 3, 112}, true},
      {"exactly at a frame boundary (a clean end)", 12, 0, 124, {4, 2, 112}, false},
  };
  for (const auto& c : cases) {
    SECTION(c.what) {
      temp_dir tmp;
      const std::string dir = tmp / "wal";
      copy_tree(etcd_vectors("plain-wal"), dir);
      const std::string last = dir + "/" + kLast;
      truncate_file(last, record_offset(3, c.record) + c.delta);
      const std::string damaged = read_bytes(last);

      auto opened = raftlog::wal::open(dir, {0, 0});
      REQUIRE(opened);
      auto& log = *opened;
      auto read = log->read_all();
      REQUIRE(read);
      REQUIRE(read->entries.size() == c.last_index);
      CHECK(read->entries.back().index == c.last_index);
      CHECK(read->state == c.state);
      for (const auto& e : read->entries) {
        if (e.index >= 117) CHECK(e == golden_entry(e.index, 4));
        else CHECK(e.data == golden_entry(e.index, e.term).data);
      }
      CHECK(std::filesystem::exists(last + ".broken") == c.repaired);
      if (c.repaired) CHECK(read_bytes(last + ".broken") == damaged);

      // Appending continues after the last good record.
      REQUIRE(log->save({5, 5, c.last_index}, make_entries(c.last_index + 1, c.last_index + 2, 5,
                                                           300)));
      REQUIRE(log->close());
      auto again = raftlog::read_wal(dir, {0, 0});
      REQUIRE(again);
      CHECK(again->entries.size() == c.last_index + 2);
      CHECK(again->entries.back() == make_entries(c.last_index + 2, c.last_index + 2, 5, 300)[0]);
      CHECK(again->state == hard_state{5, 5, c.last_index});
      CHECK(raftlog::verify_wal(dir, {0, 0}));
    }
  }
}

TEST_CASE("a zeroed sector inside the last record is a torn write - a flipped byte is not",
          "[wal][fault]") {
  temp_dir tmp;
  const std::string dir = tmp / "wal";
  {
    auto log = raftlog::wal::create(dir, "meta");
    REQUIRE(log);
    REQUIRE((*log)->save({1, 1, 0}, make_entries(1, 3, 1, 500)));
    REQUIRE((*log)->save({}, make_entries(4, 4, 1, 4000)));
  }
  const std::string path = dir + "/0000000000000000-0000000000000000.wal";
  // The entry 4 frame is the last one: it ends where the zero tail starts.
  const std::string bytes = read_bytes(path);
  const std::uint64_t end = bytes.find_last_not_of('\0') + 1;
  const std::uint64_t inside_last = (end + 7) / 8 * 8 - 4000;  // in entry 4's data
  const std::uint64_t sector = (inside_last + 511) / 512 * 512 + 512;
  REQUIRE(sector + 512 < end);

  SECTION("after a crash, zeroed sector: repaired, entries 1..3 survive") {
    forget_clean_close(dir);
    zero_range(path, sector, 512);
    auto log = raftlog::wal::open(dir, {0, 0});
    REQUIRE(log);
    auto read = (*log)->read_all();
    REQUIRE(read);
    CHECK(read->entries == make_entries(1, 3, 1, 500));
    CHECK(std::filesystem::exists(path + ".broken"));
  }
  SECTION("after a clean close, zeroed sector: corruption, nothing repaired") {
    zero_range(path, sector, 512);
    expect_refused(dir, errc::corruption, {path, "that is damage, not a torn write"});
  }
  SECTION("flipped byte: corruption, nothing repaired") {
    flip_byte(path, sector + 100);
    expect_refused(dir, errc::corruption,
                   {"0000000000000000-0000000000000000.wal at byte offset", "CRC mismatch"});
    CHECK_FALSE(std::filesystem::exists(path + ".broken"));
  }
}

TEST_CASE("damage outside the last segment's tail is an error naming file and offset",
          "[wal][fault]") {
  temp_dir tmp;
  const std::string dir = tmp / "wal";
  copy_tree(etcd_vectors("plain-wal"), dir);

  SECTION("a flipped byte in a closed segment") {
    const std::uint64_t frame = record_offset(1, 10);
    flip_byte(dir + "/" + kSecond, frame + 60);
    expect_refused(dir, errc::corruption,
                   {std::string(kSecond) + " at byte offset " + std::to_string(frame),
                    "CRC mismatch"});
  }
  SECTION("a zeroed sector in a closed segment is corruption too (only the last is repaired)") {
    const std::uint64_t frame = record_offset(1, 10);
    zero_range(dir + "/" + kSecond, (frame + 511) / 512 * 512, 512);
    expect_refused(dir, errc::corruption, {std::string(kSecond) + " at byte offset "});
  }
  SECTION("a truncated closed segment") {
    truncate_file(dir + "/" + kSecond, record_offset(1, 20) + 30);
    expect_refused(dir, errc::corruption,
                   {std::string(kSecond) + " at byte offset " +
                        std::to_string(record_offset(1, 20)),
                    "runs past the end of the file"});
  }
  SECTION("a missing middle segment") {
    std::filesystem::remove(dir + "/0000000000000002-000000000000006d.wal");
    expect_refused(dir, errc::corruption,
                   {"0000000000000003-0000000000000079.wal follows "
                    "0000000000000001-0000000000000039.wal (expected sequence 2"});
  }
  SECTION("a sequence gap") {
    std::filesystem::rename(dir + "/" + kLast, dir + "/0000000000000007-0000000000000079.wal");
    expect_refused(dir, errc::corruption,
                   {"0000000000000007-0000000000000079.wal follows "
                    "0000000000000002-000000000000006d.wal (expected sequence 3"});
  }
  SECTION("a frame claiming 10 MiB or more") {
    const std::uint64_t frame = record_offset(1, 5);
    const std::uint64_t huge = 10 * 1024 * 1024;
    std::string word(8, '\0');
    for (int i = 0; i < 8; ++i) word[i] = static_cast<char>((huge >> (8 * i)) & 0xFF);
    {
      std::fstream f(dir + "/" + kSecond, std::ios::in | std::ios::out | std::ios::binary);
      f.seekp(static_cast<std::streamoff>(frame));
      f.write(word.data(), 8);
    }
    expect_refused(dir, errc::corruption,
                   {std::string(kSecond) + " at byte offset " + std::to_string(frame),
                    "reaches etcd's 10 MiB WAL record limit"});
  }
  SECTION("metadata that differs between segments") {
    const std::uint64_t frame = record_offset(2, 1);  // "golden-metadata" of segment 2
    flip_byte(dir + "/0000000000000002-000000000000006d.wal", frame + 8 + 20);
    // The byte is in the data, so the CRC catches it first.
    expect_refused(dir, errc::corruption, {"0000000000000002-000000000000006d.wal at byte offset " +
                                           std::to_string(frame)});
  }
}

TEST_CASE("an index gap inside the log is refused with file and offset", "[wal][fault]") {
  temp_dir tmp;
  const std::string dir = tmp / "wal";
  std::filesystem::create_directory(dir);
  raftlog::wal_encoder encoder;
  encoder.add_crc();
  encoder.add_metadata("meta");
  encoder.add_snapshot({});
  encoder.add_entry(make_entries(1, 1, 1, 10)[0]);
  const std::uint64_t gap_offset = encoder.size();
  encoder.add_entry(make_entries(3, 3, 1, 10)[0]);
  write_bytes(dir + "/" + raftlog::format_segment_name(0, 0), std::string(encoder.bytes()));
  expect_refused(dir, errc::corruption,
                 {"0000000000000000-0000000000000000.wal at byte offset " +
                      std::to_string(gap_offset),
                  "index gap: entry 3 follows entry 1"},
                 /*verify_sees_it=*/false);
}

TEST_CASE("leftover .tmp files are ignored by readers and removed by the writer",
          "[wal][fault]") {
  temp_dir tmp;
  const std::string dir = tmp / "wal";
  {
    auto log = raftlog::wal::create(dir, "meta");
    REQUIRE(log);
    REQUIRE((*log)->save({1, 1, 2}, make_entries(1, 2, 1, 10)));
  }
  write_bytes(dir + "/0.tmp", std::string(1000, 'x'));
  write_bytes(dir + "/1.tmp", "");
  write_bytes(dir + "/7.tmp", "left by something else");
  // A crashed create leaves `<dir>.tmp` next to the directory.
  std::filesystem::create_directory(tmp / "other.tmp");
  write_bytes(tmp / "other.tmp/0000000000000000-0000000000000000.wal", "junk");

  auto read = raftlog::read_wal(dir, {0, 0});
  REQUIRE(read);
  CHECK(read->entries.size() == 2);
  {
    auto log = raftlog::wal::open(dir, {0, 0});
    REQUIRE(log);
    // 0.tmp may already be the file pipeline's fresh spare; the others must be gone.
    CHECK_FALSE(std::filesystem::exists(dir + "/1.tmp"));
    CHECK_FALSE(std::filesystem::exists(dir + "/7.tmp"));
  }
  // Closing removes the spare: only segments, the recorded end and the lock file remain.
  CHECK(list_files(dir) ==
        std::vector<std::string>{"0000000000000000-0000000000000000.wal", "raftvault.end",
                                 "raftvault.lock"});
  CHECK_FALSE(raftlog::wal_exists(tmp / "other"));
  auto created = raftlog::wal::create(tmp / "other", "meta");
  REQUIRE(created);
  CHECK_FALSE(std::filesystem::exists(tmp / "other.tmp"));
}

TEST_CASE("a second writer on the same directory gets errc::locked", "[wal][fault]") {
  temp_dir tmp;
  const std::string dir = tmp / "wal";
  auto first = raftlog::wal::create(dir, "meta");
  REQUIRE(first);
  auto second = raftlog::wal::open(dir, {0, 0});
  REQUIRE_FALSE(second);
  CHECK(second.error().code() == errc::locked);
  CHECK_THAT(second.error().message(), Catch::Contains(dir + "/raftvault.lock is locked"));
  // Readers need no lock.
  CHECK(raftlog::read_wal(dir, {0, 0}));
  REQUIRE((*first)->close());
  CHECK(raftlog::wal::open(dir, {0, 0}));
}

TEST_CASE("records of 10 MiB or more are refused on write - the WAL stays usable",
          "[wal][fault]") {
  temp_dir tmp;
  auto log = raftlog::wal::create(tmp / "wal", "meta");
  REQUIRE(log);
  auto big = make_entries(1, 1, 1, 10 * 1024 * 1024);
  auto refused = (*log)->save({1, 1, 0}, big);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code() == errc::invalid_argument);
  CHECK_THAT(refused.error().message(),
             Catch::Contains("entry 1 is too large for the WAL") &&
                 Catch::Contains("10485760-byte (10 MiB) record limit"));
  auto fits = make_entries(1, 1, 1, 10 * 1024 * 1024 - 64);
  REQUIRE((*log)->save({1, 1, 0}, fits));
  REQUIRE((*log)->close());
  auto read = raftlog::read_wal(tmp / "wal", {0, 0});
  REQUIRE(read);
  CHECK(read->entries == fits);
}

TEST_CASE("a failed write or sync makes the WAL fail-stop - reopen shows acknowledged entries",
          "[wal][fault]") {
  struct fail_case {
    const char* what;
    fileio::op kind;
    const char* cause;
  };
  const fail_case cases[] = {
      {"write fails", fileio::op::write, "io: write "},
      {"fdatasync fails", fileio::op::fdatasync, "io: fdatasync "},
  };
  for (const auto& c : cases) {
    SECTION(c.what) {
      temp_dir tmp;
      const std::string dir = tmp / "wal";
      {
        auto opened = raftlog::wal::create(dir, "meta");
        REQUIRE(opened);
        auto& log = *opened;
        REQUIRE(log->save({1, 1, 0}, make_entries(1, 5, 1, 100)));
        fileio::inject_fault(c.kind, 1, EIO);
        auto failed = log->save({1, 1, 5}, make_entries(6, 8, 1, 100));
        fileio::clear_faults();
        REQUIRE_FALSE(failed);
        CHECK(failed.error().code() == errc::io);
        CHECK(failed.error().sys_errno() == EIO);

        auto later = log->save({}, make_entries(6, 6, 1, 100));
        REQUIRE_FALSE(later);
        CHECK(later.error().code() == errc::closed);
        CHECK_THAT(later.error().message(),
                   Catch::Contains("stopped after a failed write or sync (fail-stop)") &&
                       Catch::Contains(c.cause));
        auto synced = log->sync();
        REQUIRE_FALSE(synced);
        CHECK(synced.error().message() == later.error().message());
        auto snap = log->save_snapshot({5, 1});
        REQUIRE_FALSE(snap);
        CHECK(snap.error().code() == errc::closed);
        auto closed = log->close();
        REQUIRE_FALSE(closed);
        CHECK(closed.error().code() == errc::closed);
      }
      auto reopened = raftlog::wal::open(dir, {0, 0});
      REQUIRE(reopened);
      auto read = (*reopened)->read_all();
      REQUIRE(read);
      CHECK(read->entries == make_entries(1, 5, 1, 100));
      CHECK(read->state == hard_state{1, 1, 0});
      REQUIRE((*reopened)->save({}, make_entries(6, 6, 1, 100)));
    }
  }
}

TEST_CASE("calls on a closed WAL fail with errc::closed", "[wal][fault]") {
  temp_dir tmp;
  auto log = raftlog::wal::create(tmp / "wal", "meta");
  REQUIRE(log);
  REQUIRE((*log)->close());
  auto saved = (*log)->save({}, make_entries(1, 1, 1, 1));
  REQUIRE_FALSE(saved);
  CHECK(saved.error().code() == errc::closed);
  CHECK(saved.error().message() == "WAL " + (tmp / "wal") + " is closed");
  CHECK((*log)->close());
}

TEST_CASE("a failed rename during a cut is fail-stop - the sealed segment keeps its records",
          "[wal][fault]") {
  temp_dir tmp;
  const std::string dir = tmp / "wal";
  raftlog::wal_options options;
  options.segment_size = 8192;
  options.etcd_cut_lag = false;
  {
    auto opened = raftlog::wal::create(dir, "meta", options);
    REQUIRE(opened);
    auto& log = *opened;
    REQUIRE(log->save({1, 1, 0}, make_entries(1, 4, 1, 1000)));
    fileio::inject_fault(fileio::op::rename, 1, ENOSPC);
    auto failed = log->save({1, 1, 4}, make_entries(5, 8, 1, 1000));  // crosses: cut
    fileio::clear_faults();
    REQUIRE_FALSE(failed);
    CHECK(failed.error().code() == errc::io);
    CHECK_THAT(failed.error().message(), Catch::Contains("rename") && Catch::Contains("0.tmp"));
    auto later = log->save({}, make_entries(9, 9, 1, 10));
    REQUIRE_FALSE(later);
    CHECK(later.error().code() == errc::closed);
  }
  auto reopened = raftlog::wal::open(dir, {0, 0}, options);
  REQUIRE(reopened);
  auto read = (*reopened)->read_all();
  REQUIRE(read);
  // The old segment was sealed (fdatasynced) before the rename: the unacknowledged save 5..8 is
  // durable there, which raft tolerates; nothing acknowledged is missing.
  CHECK(read->entries == make_entries(1, 8, 1, 1000));
  CHECK(raftlog::list_segments(dir).size() == 1);
  REQUIRE((*reopened)->save({1, 1, 8}, make_entries(9, 12, 1, 1000)));
  CHECK((*reopened)->segments().size() == 2);
}

TEST_CASE("a failed unlink in release_to keeps the segment list in step with the disk",
          "[wal][fault]") {
  temp_dir tmp;
  auto log = wal_with_small_segments(tmp / "wal");
  const auto before = log->segments();
  REQUIRE(before.size() >= 4);
  const std::uint64_t snap_index = before[3].first_index;  // three segments to delete
  REQUIRE(log->save_snapshot({snap_index, 1}));

  fileio::inject_fault(fileio::op::unlink, 2, EIO);
  auto failed = log->release_to(snap_index);
  fileio::clear_faults();
  REQUIRE_FALSE(failed);
  CHECK(failed.error().sys_errno() == EIO);
  CHECK(failed.error().message() == "unlink " + tmp / "wal/" + before[1].name + ": " +
                                        std::strerror(EIO));
  // The first segment is gone from the disk and from the list; the second is in both.
  const auto after_failure = log->segments();
  REQUIRE(after_failure.size() == before.size() - 1);
  CHECK(after_failure.front().name == before[1].name);
  CHECK(raftlog::list_segments(tmp / "wal").size() == after_failure.size());

  // Retrying finishes the job instead of failing on the segment already deleted.
  REQUIRE(log->release_to(snap_index));
  const auto after = log->segments();
  CHECK(after.size() == before.size() - 3);
  CHECK(after.front().name == before[3].name);
  CHECK(raftlog::list_segments(tmp / "wal").size() == after.size());
  REQUIRE(log->close());
}
