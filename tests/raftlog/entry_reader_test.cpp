// raftlog::entry_reader: frames read back at the entry index's locations, on real segment files,
// while the WAL appends; damage is corruption naming file and offset, a released segment is
// not_found (raft's "compacted"), and nothing else is ever returned.
#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

#include "raftlog/entry_reader.h"
#include "raftlog/segment_name.h"
#include "raftlog/segment_remover.h"
#include "raftlog/wal.h"
#include "encryption_fixtures.h"
#include "wal_test_support.h"

using namespace raftvault;
using namespace raftvault::testing;

namespace {

std::string segment_path(const std::string& dir, const raftlog::located_entries& where,
                         std::size_t i) {
  for (const auto& s : where.segments)
    if (s.sequence == where.locations[i].segment_seq)
      return dir + "/" + raftlog::format_segment_name(s.sequence, s.first_index);
  FAIL("no segment for location " << i);
  return {};
}

}  // namespace

TEST_CASE("a damaged frame is corruption naming the file and the frame's offset",
          "[entry_reader]") {
  struct damage_case {
    const char* name;
    std::uint64_t byte;  // from the frame's start
    const char* expected;
  };
  const damage_case cases[] = {
      {"length word", 0, "the length word gives a frame of"},
      {"entry data", 200, "CRC mismatch"},
  };
  for (const auto& c : cases) {
    SECTION(c.name) {
      temp_dir tmp;
      auto log = wal_with_small_segments(tmp / "wal");
      const auto where = locate_entries(*log, 20, 31);
      const auto& frame = where.locations[5];  // entry 25
      const std::string path = segment_path(tmp / "wal", where, 5);
      flip_byte(path, frame.offset + c.byte);
      auto read = raftlog::entry_reader(tmp / "wal").read(where);
      REQUIRE_FALSE(read);
      CHECK(read.error().code() == errc::corruption);
      const std::string prefix =
          path + " at byte offset " + std::to_string(frame.offset) + ": entry 25: ";
      CHECK(read.error().message().rfind(prefix, 0) == 0);
      CHECK(read.error().message().find(c.expected) != std::string::npos);
      // The frames before it read as written.
      auto before = raftlog::entry_reader(tmp / "wal").read(locate_entries(*log, 20, 25));
      REQUIRE(before);
      CHECK(*before == make_entries(20, 24, 1, 1000));
    }
  }
}

TEST_CASE("a location whose term or CRC differs from the frame is corruption", "[entry_reader]") {
  temp_dir tmp;
  auto log = wal_with_small_segments(tmp / "wal");
  auto where = locate_entries(*log, 7, 8);
  const std::string path = segment_path(tmp / "wal", where, 0);
  const std::string at = path + " at byte offset " + std::to_string(where.locations[0].offset);
  auto wrong_term = where;
  wrong_term.locations[0].term = 2;
  auto read = raftlog::entry_reader(tmp / "wal").read(wrong_term);
  REQUIRE_FALSE(read);
  CHECK(read.error().message() ==
        at + ": entry 7: the record holds entry 7 of term 1, the entry index expects term 2");
  auto wrong_crc = where;
  wrong_crc.locations[0].crc_before ^= 1;
  read = raftlog::entry_reader(tmp / "wal").read(wrong_crc);
  REQUIRE_FALSE(read);
  CHECK(read.error().code() == errc::corruption);
  // The frame of entry 8 where entry 7 is expected: a location from another index.
  auto shifted = where;
  shifted.locations[0] = *log->entries()->find(8);
  read = raftlog::entry_reader(tmp / "wal").read(shifted);
  REQUIRE_FALSE(read);
  CHECK(read.error().message().find("the record holds entry 8") != std::string::npos);
}

TEST_CASE("a segment released after the locations were copied reads as compacted",
          "[entry_reader]") {
  temp_dir tmp;
  auto log = wal_with_small_segments(tmp / "wal");
  const auto where = locate_entries(*log, 1, 61);
  REQUIRE(log->save_snapshot({50, 1}));
  const std::string first = segment_path(tmp / "wal", where, 0);

  SECTION("deleted by release_to") {
    REQUIRE(log->release_to(50));
  }
  SECTION("renamed out of the log by a segment remover") {
    auto detached = log->detach_released(50);
    REQUIRE(detached);
    raftlog::segment_remover remover;
    REQUIRE(remover.take_out(*detached));
    REQUIRE(std::filesystem::exists(first + raftlog::kDeletingSuffix));
  }
  auto read = raftlog::entry_reader(tmp / "wal").read(where);
  REQUIRE_FALSE(read);
  CHECK(read.error().code() == errc::not_found);
  CHECK(read.error().message() == "entry 1 is compacted: its segment " + first + " was released");
  // What is retained still reads.
  const auto kept = locate_entries(*log, log->entries()->first(), 61);
  auto rest = raftlog::entry_reader(tmp / "wal").read(kept);
  REQUIRE(rest);
  CHECK(*rest == make_entries(kept.first_index, 60, 1, 1000));
}

TEST_CASE("reads on another thread while the WAL appends to the same segment see only what "
          "was written", "[entry_reader][threads]") {
  temp_dir tmp;
  auto created = raftlog::wal::create(tmp / "wal", "meta", {64 * 1024});
  REQUIRE(created);
  auto& log = **created;
  const auto index = log.entries();
  const raftlog::entry_reader reader(tmp / "wal");
  constexpr std::uint64_t kLast = 400;
  std::atomic<bool> done{false};
  std::atomic<std::uint64_t> reads{0};
  std::atomic<bool> failed{false};
  std::string failure;  // written by the follower before `failed`, read after the join
  auto fail = [&](std::string why) {
    failure = std::move(why);
    failed = true;
  };
  std::thread follower([&] {
    // Each pass reads everything visible, then waits for nothing: it just goes again.
    while (!done.load()) {
      const std::uint64_t last = index->last();
      if (last == 0) continue;
      const std::uint64_t lo = last > 20 ? last - 20 : 1;
      auto where = index->locate(lo, last + 1);
      if (!where) return fail(where.error().describe());
      auto got = reader.read(*where);
      if (!got) return fail(got.error().describe());
      if (*got != make_entries(lo, last, 1, 300)) return fail("wrong entries");
      ++reads;
    }
  });
  for (std::uint64_t i = 1; i <= kLast; i += 4) {
    REQUIRE(log.append({1, 1, i - 1}, make_entries(i, i + 3, 1, 300)));
    REQUIRE(log.sync());
  }
  // At least one read after the last append, so the last segments were read too.
  const std::uint64_t seen = reads.load();
  while (reads.load() == seen && !failed.load()) std::this_thread::yield();
  done = true;
  follower.join();
  CHECK(failure == "");
  CHECK(reads.load() > 1);
  CHECK(log.segments().size() > 2);
}

TEST_CASE("read_open opens sealed payloads with the codec", "[entry_reader]") {
  temp_dir tmp;
  auto codec = single_key_codec(codec::cipher::xchacha20poly1305, make_key(1, 0x40));
  auto created = raftlog::wal::create(tmp / "wal", "meta", {64 * 1024});
  REQUIRE(created);
  auto& log = **created;
  const auto plain = make_entries(1, 10, 3, 500);
  auto sealed = codec->seal_entries(plain);
  REQUIRE(sealed);
  REQUIRE(log.save({3, 1, 0}, *sealed));
  const auto where = locate_entries(log, 1, 11);
  const raftlog::entry_reader reader(tmp / "wal");
  auto stored = reader.read(where);
  REQUIRE(stored);
  CHECK(*stored == *sealed);
  auto opened = reader.read_open(where, *codec);
  REQUIRE(opened);
  CHECK(*opened == plain);
  auto other = single_key_codec(codec::cipher::xchacha20poly1305, make_key(1, 0x41));
  auto refused = reader.read_open(where, *other);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code() == errc::wrong_key);
}
