// Writing: the MANIFEST's call sequence must produce etcd's segment files byte for byte, and the
// writer's own behaviours (create, save/append/sync, cut, release_to) keep etcd's semantics.
#include <catch2/catch.hpp>

#include "codec/crc32c.h"
#include "codec/raft_codec.h"
#include "codec/wal_record.h"
#include "raftlog/wal.h"
#include "raftlog/wal_encoder.h"
#include "wal_test_support.h"

using namespace raftvault;
using namespace raftvault::testing;

TEST_CASE("the MANIFEST call sequence writes etcd's segments byte for byte", "[wal][vectors]") {
  temp_dir tmp;
  replay_golden_ops(tmp / "wal", golden_options());
  CHECK(wal_digest(tmp / "wal") == expected_wal_digest("plain"));
  // Nothing else is left behind: no spare .tmp, only the recorded end of the clean close and
  // the lock file besides the segments.
  auto files = list_files(tmp / "wal");
  CHECK(files == std::vector<std::string>{"0000000000000000-0000000000000000.wal",
                                          "0000000000000001-0000000000000039.wal",
                                          "0000000000000002-000000000000006d.wal",
                                          "0000000000000003-0000000000000079.wal",
                                          "raftvault.end", "raftvault.lock"});
  CHECK_FALSE(std::filesystem::exists(tmp / "wal.tmp"));
  const auto mode = std::filesystem::status(tmp / "wal").permissions();
  CHECK((mode & std::filesystem::perms::all) == std::filesystem::perms::owner_all);
  const auto file_mode =
      std::filesystem::status(tmp / "wal/0000000000000000-0000000000000000.wal").permissions();
  CHECK((file_mode & std::filesystem::perms::all) ==
        (std::filesystem::perms::owner_read | std::filesystem::perms::owner_write));

  // And what we wrote reads back like etcd's own files.
  auto read = raftlog::read_wal(tmp / "wal", {20, 2});
  REQUIRE(read);
  CHECK(read->entries.size() == 104);
  CHECK(read->state == hard_state{4, 2, 124});
}

TEST_CASE("the entry framing matches codec::append_entry for every shape", "[wal]") {
  const entry shapes[] = {
      {0, 0, entry_type::normal, ""},
      {1, 1, entry_type::conf_change, "x"},
      {300, 1ull << 40, entry_type::conf_change_v2, std::string(200, 'y')},
      {~0ull, ~0ull, entry_type::normal, std::string(70000, 'z')},
  };
  for (const auto& e : shapes) {
    raftlog::wal_encoder fast(0x1234);
    fast.add_entry(e);
    std::string reference;
    const std::string data = codec::encode_entry(e);
    codec::append_frame(codec::record_type::entry, codec::crc32c_update(0x1234, data), data, true,
                        reference);
    CHECK(fast.bytes() == reference);
  }
}

TEST_CASE("create refuses an existing WAL and leaves a clean directory", "[wal]") {
  temp_dir tmp;
  {
    auto log = raftlog::wal::create(tmp / "wal", "meta");
    REQUIRE(log);
    CHECK((*log)->segments().size() == 1);
    CHECK((*log)->segments()[0].size_bytes == 64'000'000);  // preallocated like etcd
  }
  auto again = raftlog::wal::create(tmp / "wal", "meta");
  REQUIRE_FALSE(again);
  CHECK(again.error().code() == errc::already_exists);
  CHECK(again.error().message() == "cannot create WAL: " + (tmp / "wal") + " exists and is not empty");

  // An empty existing directory is fine (etcd replaces it).
  std::filesystem::create_directory(tmp / "empty");
  CHECK(raftlog::wal::create(tmp / "empty", "meta"));
}

TEST_CASE("save syncs by raft's MustSync rule - append + sync group-commits", "[wal]") {
  temp_dir tmp;
  auto created = raftlog::wal::create(tmp / "wal", "meta");
  REQUIRE(created);
  auto& log = *created;
  REQUIRE(log->save({1, 1, 0}, make_entries(1, 10, 1, 100)));
  REQUIRE(log->append({}, make_entries(11, 20, 1, 100)));
  REQUIRE(log->append({1, 1, 20}, make_entries(21, 30, 1, 100)));
  REQUIRE(log->sync());
  CHECK(log->last_index() == 30);
  REQUIRE(log->save({1, 1, 30}, {}));  // commit-only change: written, not synced
  REQUIRE(log->close());

  auto read = raftlog::read_wal(tmp / "wal", {0, 0});
  REQUIRE(read);
  CHECK(read->entries.size() == 30);
  CHECK(read->entries.back() == make_entries(30, 30, 1, 100)[0]);
  CHECK(read->state == hard_state{1, 1, 30});
}

TEST_CASE("reopen appends after the clean end - a rewrite replaces the tail across segments",
          "[wal]") {
  temp_dir tmp;
  raftlog::wal_options options;
  options.segment_size = 16 * 1024;
  {
    auto log = raftlog::wal::create(tmp / "wal", "meta", options);
    REQUIRE(log);
    for (std::uint64_t i = 1; i <= 50; i += 5)
      REQUIRE((*log)->save({1, 1, i}, make_entries(i, i + 4, 1, 1000)));
    CHECK((*log)->segments().size() > 2);
  }
  {
    auto log = raftlog::wal::open(tmp / "wal", {0, 0}, options);
    REQUIRE(log);
    auto before = (*log)->read_all();
    REQUIRE(before);
    CHECK(before->entries.size() == 50);
    CHECK((*log)->highest_index() == 50);
    // A new leader's term overwrites 20..: everything after 20 from term 1 disappears.
    REQUIRE((*log)->save({2, 2, 19}, make_entries(20, 22, 2, 10)));
    CHECK((*log)->last_index() == 22);
    CHECK((*log)->highest_index() == 50);  // the replaced 23..50 are still in the segments
    auto second = (*log)->read_all();
    REQUIRE_FALSE(second);
    CHECK(second.error().code() == errc::invalid_argument);
  }
  {
    // Reopened, the records still tell: a replay from a snapshot at 22 would read 23..50.
    auto log = raftlog::wal::open(tmp / "wal", {0, 0}, options);
    REQUIRE(log);
    CHECK((*log)->last_index() == 22);
    CHECK((*log)->highest_index() == 50);
  }
  auto read = raftlog::read_wal(tmp / "wal", {0, 0});
  REQUIRE(read);
  REQUIRE(read->entries.size() == 22);
  CHECK(read->entries[18].term == 1);
  CHECK(read->entries[19] == make_entries(20, 20, 2, 10)[0]);
  CHECK(read->state == hard_state{2, 2, 19});
}

TEST_CASE("save refuses an index gap and non-consecutive entries without failing", "[wal]") {
  temp_dir tmp;
  auto log = raftlog::wal::create(tmp / "wal", "meta");
  REQUIRE(log);
  REQUIRE((*log)->save({1, 1, 0}, make_entries(1, 3, 1, 10)));
  auto gap = (*log)->save({}, make_entries(5, 6, 1, 10));
  REQUIRE_FALSE(gap);
  CHECK(gap.error().code() == errc::invalid_argument);
  CHECK(gap.error().message().find("entry 5 would leave an index gap after entry 3") !=
        std::string::npos);
  auto holes = make_entries(4, 6, 1, 10);
  holes.erase(holes.begin() + 1);
  auto unordered = (*log)->save({}, holes);
  REQUIRE_FALSE(unordered);
  CHECK(unordered.error().message().find("entries are not consecutive (4 then 6)") !=
        std::string::npos);
  CHECK((*log)->save({}, make_entries(4, 4, 1, 10)));  // still writable
}

TEST_CASE("release_to deletes segments a snapshot makes unnecessary", "[wal]") {
  temp_dir tmp;
  auto log = wal_with_small_segments(tmp / "wal");
  const auto before = log->segments();
  REQUIRE(before.size() >= 4);
  const std::uint64_t snap_index = before[2].first_index;
  REQUIRE(log->save_snapshot({snap_index, 1}));
  REQUIRE(log->release_to(snap_index));
  const auto after = log->segments();
  CHECK(after.size() == before.size() - 2);
  CHECK(after.front().name == before[2].name);
  CHECK(raftlog::list_segments(tmp / "wal").size() == after.size());
  REQUIRE(log->close());

  auto read = raftlog::read_wal(tmp / "wal", {snap_index, 1});
  REQUIRE(read);
  CHECK(read->entries.front().index == snap_index + 1);
  CHECK(read->entries.back().index == 60);
}

TEST_CASE("without etcd's lag a segment is cut by the save that crosses the size", "[wal]") {
  temp_dir tmp;
  raftlog::wal_options options;
  options.segment_size = 8192;
  options.etcd_cut_lag = false;
  auto log = raftlog::wal::create(tmp / "wal", "meta", options);
  REQUIRE(log);
  REQUIRE((*log)->save({1, 1, 0}, make_entries(1, 4, 1, 1000)));
  CHECK((*log)->segments().size() == 1);
  REQUIRE((*log)->save({1, 1, 4}, make_entries(5, 8, 1, 1000)));  // crosses 8192
  const auto segments = (*log)->segments();
  REQUIRE(segments.size() == 2);
  CHECK(segments[1].name == "0000000000000001-0000000000000009.wal");
  CHECK(segments[0].size_bytes > 8192);
  CHECK(segments[0].size_bytes < 8192 + 4 * 1100);
}
