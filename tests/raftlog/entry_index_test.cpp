// The WAL's entry index (raftlog/entry_index.h): the locations a replay finds are the ones the
// writer recorded, and appends that replace a suffix, releases and syncs keep it current.
#include <catch2/catch.hpp>

#include "raftlog/entry_index.h"
#include "raftlog/entry_reader.h"
#include "raftlog/wal.h"
#include "wal_test_support.h"

using namespace raftvault;
using namespace raftvault::testing;

namespace {

std::unique_ptr<raftlog::wal> reopen(const std::string& dir, snapshot_marker at = {}) {
  auto log = raftlog::wal::open(dir, at, small_segment_options());
  REQUIRE(log);
  REQUIRE((*log)->read_all());
  return std::move(log).value();
}

bool same(const raftlog::located_entries& a, const raftlog::located_entries& b) {
  if (a.first_index != b.first_index || a.locations != b.locations ||
      a.segments.size() != b.segments.size())
    return false;
  for (std::size_t i = 0; i < a.segments.size(); ++i)
    if (a.segments[i].sequence != b.segments[i].sequence ||
        a.segments[i].first_index != b.segments[i].first_index)
      return false;
  return true;
}

}  // namespace

static_assert(raftlog::entry_index::kBytesPerEntry == 32, "a few dozen bytes per entry");

TEST_CASE("the locations a reopen finds are the ones the writer recorded, across segments",
          "[entry_index]") {
  temp_dir tmp;
  auto log = wal_with_small_segments(tmp / "wal");
  REQUIRE(log->segments().size() > 3);
  const auto written = locate_entries(*log, 1, 61);
  // Every segment but the last, cut after the final save, holds entries.
  CHECK(written.segments.size() == log->segments().size() - 1);
  CHECK(written.segments.front().sequence == written.locations.front().segment_seq);
  CHECK(written.segments.back().sequence == written.locations.back().segment_seq);
  CHECK(log->entries()->first() == 1);
  CHECK(log->entries()->last() == 60);
  CHECK(log->entries()->memory_bytes() >= 60 * raftlog::entry_index::kBytesPerEntry);
  REQUIRE(log->close());

  auto reopened = reopen(tmp / "wal");
  CHECK(same(locate_entries(*reopened, 1, 61), written));
  auto read = raftlog::entry_reader(tmp / "wal").read(written);
  REQUIRE(read);
  CHECK(*read == make_entries(1, 60, 1, 1000));
}

TEST_CASE("an appended entry becomes readable when a sync covers it", "[entry_index]") {
  temp_dir tmp;
  auto created = raftlog::wal::create(tmp / "wal", "meta", small_segment_options());
  REQUIRE(created);
  auto& log = **created;
  const auto index = log.entries();
  CHECK(index->last() == 0);
  // Enough for a cut: the new segment has its final name only after the sync.
  REQUIRE(log.append({1, 1, 0}, make_entries(1, 12, 1, 1000)));
  CHECK(index->last() == 0);
  CHECK(index->size() == 12);
  auto early = index->locate(1, 2);
  REQUIRE_FALSE(early);
  CHECK(early.error().code() == errc::invalid_argument);
  CHECK(early.error().message() == "entry 1 is unavailable: the last entry is 0");
  REQUIRE(log.sync());
  CHECK(index->last() == 12);
  REQUIRE(log.append({}, make_entries(13, 13, 1, 1000)));
  REQUIRE(log.sync());
  auto read = raftlog::entry_reader(tmp / "wal").read(locate_entries(log, 1, 14));
  REQUIRE(read);
  CHECK(*read == make_entries(1, 13, 1, 1000));
}

TEST_CASE("a later record of an index replaces its location and every later one",
          "[entry_index]") {
  temp_dir tmp;
  {
    auto created = raftlog::wal::create(tmp / "wal", "meta", small_segment_options());
    REQUIRE(created);
    auto& log = **created;
    REQUIRE(log.save({1, 1, 5}, make_entries(1, 20, 1, 700)));
    const auto old_15 = *log.entries()->find(15);
    REQUIRE(log.save({2, 2, 5}, make_entries(15, 17, 2, 300)));
    CHECK(log.entries()->last() == 17);
    CHECK(log.entries()->size() == 17);
    const auto new_15 = *log.entries()->find(15);
    CHECK(new_15.term == 2);
    CHECK(new_15.offset != old_15.offset);
    auto beyond = log.entries()->locate(15, 19);
    REQUIRE_FALSE(beyond);
    CHECK(beyond.error().message() == "entry 18 is unavailable: the last entry is 17");
    auto read = raftlog::entry_reader(tmp / "wal").read(locate_entries(log, 13, 18));
    REQUIRE(read);
    std::vector<entry> expected = make_entries(13, 14, 1, 700);
    for (auto& e : make_entries(15, 17, 2, 300)) expected.push_back(e);
    CHECK(*read == expected);
    // The replaced frame itself is intact: read at its old location, it is still the old entry
    // (written bytes never change), which is why the index must forget it.
    raftlog::located_entries stale{15, {old_15}, locate_entries(log, 1, 18).segments};
    auto old_read = raftlog::entry_reader(tmp / "wal").read(stale);
    REQUIRE(old_read);
    CHECK(old_read->front().term == 1);
    REQUIRE(log.close());
  }
  auto log = reopen(tmp / "wal");
  CHECK(log->entries()->last() == 17);
  CHECK(log->entries()->find(15)->term == 2);
}

TEST_CASE("a reopen at a snapshot holds the entries after it, a release drops the segments' "
          "entries", "[entry_index]") {
  temp_dir tmp;
  {
    auto log = wal_with_small_segments(tmp / "wal");
    REQUIRE(log->save_snapshot({40, 1}));
    REQUIRE(log->close());
  }
  auto log = reopen(tmp / "wal", {40, 1});
  const auto index = log->entries();
  CHECK(index->first() == 41);
  CHECK(index->last() == 60);
  auto compacted = index->locate(40, 42);
  REQUIRE_FALSE(compacted);
  CHECK(compacted.error().code() == errc::not_found);
  CHECK(compacted.error().message() == "entry 40 is compacted: the first retained entry is 41");

  // Segments before the one holding 50 go; so do the located entries in them.
  const auto before = locate_entries(*log, 41, 61);
  REQUIRE(log->save_snapshot({50, 1}));
  REQUIRE(log->release_to(50));
  const std::uint64_t oldest = log->segments().front().sequence;
  CHECK(index->first() > 41);
  CHECK(index->first() <= 51);
  CHECK(index->last() == 60);
  for (std::uint64_t i = index->first(); i <= 60; ++i)
    CHECK(index->find(i)->segment_seq >= oldest);
  CHECK(locate_entries(*log, index->first(), 61).segments.front().sequence == oldest);
  CHECK(before.locations.back() == *index->find(60));
}

TEST_CASE("the entry index's rules on its own", "[entry_index]") {
  raftlog::entry_index index;
  index.reset(10);
  index.add_segment({3, 5});
  auto at = [](std::uint64_t offset) { return raftlog::entry_location{3, offset, 1, 0, 8}; };
  index.put(9, at(0));  // at or below the base: skipped, as a replay skips it
  CHECK(index.size() == 0);
  for (std::uint64_t i = 11; i <= 15; ++i) index.put(i, at(i * 8));
  index.publish();
  CHECK(index.first() == 11);
  CHECK(index.last() == 15);
  index.put(13, at(200));  // replaces 13..15, hides 13 until published
  CHECK(index.last() == 12);
  CHECK(index.size() == 3);
  index.publish();
  CHECK(index.last() == 13);
  CHECK(index.find(13)->offset == 200);
  index.drop_written_after(3, 200);  // a rollback to offset 200 drops 13
  CHECK(index.last() == 12);
  index.drop_from(12);
  CHECK(index.last() == 11);
  index.drop_segments_before(4);
  CHECK(index.size() == 0);
  CHECK(index.first() == 12);
  CHECK(index.last() == 11);
  auto range = index.locate(12, 12);
  REQUIRE(range);
  CHECK(range->locations.empty());
  CHECK(index.memory_bytes() == 0);
}
