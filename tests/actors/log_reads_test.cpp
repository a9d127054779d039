// Raft's reads through the storage actor (blocking API) on real, encrypted files: entries,
// term, first and last index after start-up, across snapshots, releases, reopen and
// concurrent appends.
#include <catch2/catch.hpp>

#include <atomic>
#include <limits>

#include "actors/pipeline.h"
#include "producer_load.h"
#include "service_model.h"
#include "support/test_support.h"

using namespace raftvault;
using namespace raftvault::actors;
using raftvault::testing::make_entries;
using raftvault::testing::temp_dir;
using raftvault::testing::test_snapshot;
using raftvault::testing::test_store_options;

namespace {

constexpr auto kAll = std::numeric_limits<std::uint64_t>::max();

std::unique_ptr<blocking_storage> open_new(const pipeline_options& options) {
  auto store = blocking_storage::open(options);
  REQUIRE(store);
  REQUIRE((*store)->recover());
  return std::move(*store);
}

// Entries 1..count of `term`, `size` bytes each, in appends of 10 with the commit before them.
void append_log(blocking_storage& store, std::uint64_t first, std::uint64_t count,
                std::uint64_t term, std::size_t size) {
  for (std::uint64_t i = first; i < first + count; i += 10) {
    auto last = store.append({term, 1, i - 1}, make_entries(i, 10, term, size));
    REQUIRE(last);
  }
}

errc code_of(const result<std::vector<entry>>& r) { return r.error().code(); }

}  // namespace

TEST_CASE("entries read back decrypted as appended, with durable bounds", "[actors][reads]") {
  temp_dir dir;
  auto options = test_store_options(dir, 64 << 10);
  REQUIRE(options.cipher != codec::cipher::none);
  auto store = open_new(options);
  CHECK(*store->first_index() == 1);
  CHECK(*store->last_index() == 0);
  CHECK(*store->term(0) == 0);
  append_log(*store, 1, 200, 1, 1000);

  CHECK(*store->first_index() == 1);
  CHECK(*store->last_index() == 200);
  auto all = store->entries(1, 201, kAll);
  REQUIRE(all);
  CHECK(*all == make_entries(1, 200, 1, 1000));
  auto middle = store->entries(57, 60, kAll);
  REQUIRE(middle);
  CHECK(*middle == make_entries(57, 3, 1, 1000));
  auto none = store->entries(200, 200, kAll);
  REQUIRE(none);
  CHECK(none->empty());

  auto st = store->status_report();
  REQUIRE(st);
  CHECK(st->index_memory_bytes >= 200 * raftlog::entry_index::kBytesPerEntry);
  REQUIRE(store->close());
}

TEST_CASE("entries stop before the entry that would pass max_bytes, but return one",
          "[actors][reads]") {
  temp_dir dir;
  auto store = open_new(test_store_options(dir, 64 << 10));
  append_log(*store, 1, 50, 1, 1000);

  auto one = store->entries(5, 50, 0);
  REQUIRE(one);
  CHECK(*one == make_entries(5, 1, 1, 1000));
  auto huge_first = store->entries(5, 50, 999);
  REQUIRE(huge_first);
  CHECK(huge_first->size() == 1);

  // Stored frames are the data plus sealing and framing overhead (well under 300 bytes).
  auto some = store->entries(5, 50, 5000);
  REQUIRE(some);
  CHECK(some->size() >= 5000 / 1300);
  CHECK(some->size() <= 4);
  CHECK(*some == make_entries(5, some->size(), 1, 1000));
  REQUIRE(store->close());
}

TEST_CASE("reads name the indexes: unavailable beyond the last, invalid when hi < lo",
          "[actors][reads]") {
  temp_dir dir;
  auto store = open_new(test_store_options(dir, 64 << 10));
  append_log(*store, 1, 20, 1, 100);

  auto beyond = store->entries(15, 22, kAll);
  REQUIRE_FALSE(beyond);
  CHECK(code_of(beyond) == errc::unavailable);
  CHECK_THAT(beyond.error().message(), Catch::Contains("index 21") && Catch::Contains("last durable index is 20"));
  CHECK(store->term(21).error().code() == errc::unavailable);
  auto backwards = store->entries(10, 9, kAll);
  REQUIRE_FALSE(backwards);
  CHECK(code_of(backwards) == errc::invalid_argument);
  REQUIRE(store->close());
}

TEST_CASE("after a snapshot and its release, older entries are compacted", "[actors][reads]") {
  temp_dir dir;
  auto store = open_new(test_store_options(dir, 64 << 10));
  append_log(*store, 1, 200, 1, 1000);
  // Saving a snapshot releases the segments it made unneeded; release_to does it again.
  REQUIRE(store->save_snapshot(test_snapshot(150)));
  REQUIRE(store->release_to(150));
  const auto first = *store->first_index();
  CHECK(first > 1);
  CHECK(first <= 151);
  CHECK(*store->last_index() == 200);
  auto gone = store->entries(first - 1, 200, kAll);
  REQUIRE_FALSE(gone);
  CHECK(code_of(gone) == errc::compacted);
  CHECK_THAT(gone.error().message(), Catch::Contains("first retained index is " + std::to_string(first)));
  auto kept = store->entries(first, 201, kAll);
  REQUIRE(kept);
  CHECK(*kept == make_entries(first, 201 - first, 1, 1000));
  CHECK(*store->term(150) == 1);
  if (first > 2) CHECK(store->term(first - 2).error().code() == errc::compacted);
  REQUIRE(store->close());
}

TEST_CASE("term across a term change, at the snapshot index, and past a snapshot beyond the log",
          "[actors][reads]") {
  temp_dir dir;
  auto store = open_new(test_store_options(dir, 64 << 10));
  append_log(*store, 1, 10, 1, 100);
  append_log(*store, 11, 10, 2, 100);
  CHECK(*store->term(0) == 0);
  CHECK(*store->term(10) == 1);
  CHECK(*store->term(11) == 2);
  CHECK(*store->term(20) == 2);

  REQUIRE(store->save_snapshot(test_snapshot(15, 2)));
  CHECK(*store->term(15) == 2);

  // A snapshot beyond every entry becomes the log's base.
  REQUIRE(store->save_snapshot(test_snapshot(30, 2)));
  CHECK(*store->first_index() == 31);
  CHECK(*store->last_index() == 30);
  CHECK(*store->term(30) == 2);
  CHECK(store->term(20).error().code() == errc::compacted);
  CHECK(code_of(store->entries(20, 21, kAll)) == errc::compacted);
  CHECK(code_of(store->entries(31, 32, kAll)) == errc::unavailable);

  REQUIRE(store->append({2, 1, 30}, make_entries(31, 5, 2, 100)));
  CHECK(*store->last_index() == 35);
  auto after = store->entries(31, 36, kAll);
  REQUIRE(after);
  CHECK(*after == make_entries(31, 5, 2, 100));
  REQUIRE(store->close());
}

TEST_CASE("reads after a reopen return what was appended before it", "[actors][reads]") {
  temp_dir dir;
  auto options = test_store_options(dir, 64 << 10);
  {
    auto store = open_new(options);
    append_log(*store, 1, 100, 3, 700);
    REQUIRE(store->save_snapshot(test_snapshot(40, 3)));
    REQUIRE(store->close());
  }
  auto store = open_new(options);
  CHECK(*store->first_index() == 41);  // opened at the snapshot: replay starts after it
  CHECK(*store->last_index() == 100);
  CHECK(*store->term(40) == 3);
  auto read = store->entries(41, 101, kAll);
  REQUIRE(read);
  CHECK(*read == make_entries(41, 60, 3, 700));
  CHECK(code_of(store->entries(40, 41, kAll)) == errc::compacted);
  REQUIRE(store->close());
}

TEST_CASE("reads while 4 producers append return the entries appended", "[actors][reads]") {
  temp_dir dir;
  auto store = open_new(test_store_options(dir, 256 << 10));
  raftvault::testing::ack_counter acked;
  std::atomic<bool> failed{false};
  raftvault::testing::producer_load::shape shape;  // 4 producers, term 1, 128-byte entries
  raftvault::testing::producer_load load(
      store->system(), store->handle(), 1, shape,
      [&](const std::vector<entry>& b) { acked.add(b.size()); },
      [&](const std::vector<entry>&, const raftvault::error&) {
        failed = true;
        acked.give_up();
      });
  std::size_t reads = 0;
  std::uint64_t last = 0;
  while (last < 3000 && !failed) {
    last = *store->last_index();
    if (last == 0) continue;
    const auto lo = last > 64 ? last - 63 : 1;
    auto read = store->entries(lo, last + 1, kAll);
    REQUIRE(read);
    REQUIRE(*read == make_entries(lo, last + 1 - lo, shape.term, shape.entry_bytes));
    ++reads;
  }
  load.stop();
  CHECK_FALSE(failed);
  CHECK(reads > 0);
  auto all = store->entries(1, *store->last_index() + 1, kAll);
  REQUIRE(all);
  CHECK(*all == make_entries(1, all->size(), shape.term, shape.entry_bytes));
  REQUIRE(store->close());
}
