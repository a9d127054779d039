// raft's rules enforced by the storage before anything is written (raftlog/log_rules.h): each
// refused request names the rule and the index, and changes nothing — not the position the
// storage reports, not what a restart reads.
#include <catch2/catch.hpp>

#include "actors/pipeline.h"
#include "service_model.h"

using namespace raftvault;
using namespace raftvault::actors;
using namespace raftvault::testing;

namespace {

struct refused_case {
  const char* what;
  hard_state state;
  std::vector<entry> entries;
  const char* message;
};

void expect_unchanged(blocking_storage& s, std::uint64_t last_index, const hard_state& state) {
  auto st = s.status_report();
  REQUIRE(st);
  CHECK(st->last_index == last_index);
  CHECK(st->state == state);
}

}  // namespace

TEST_CASE("raft rules: appends that break them are refused and change nothing", "[actors][rules]") {
  temp_dir dir;
  const hard_state current{3, 2, 6};
  {
    auto store = blocking_storage::open(test_store_options(dir, 256 << 10));
    REQUIRE(store);
    auto& s = **store;
    REQUIRE(s.append({3, 2, 0}, make_entries(1, 10, 3, 10)));
    REQUIRE(s.append(current, {}));
    const std::vector<refused_case> cases = {
        {"vote changed within a term", {3, 1, 6}, {}, "vote 1 in term 3 changes the vote already cast in that term for 2"},
        {"vote withdrawn within a term", {3, 0, 6}, {}, "changes the vote"},
        {"commit beyond the last index", {3, 2, 11}, {}, "commit 11 is beyond the last index 10"},
        {"commit beyond the entries of the same append", {3, 2, 9}, make_entries(8, 1, 4, 10),
         "commit 9 is beyond the last index 8"},
        {"commit goes back", {3, 2, 5}, {}, "commit 5 is below the current commit 6"},
        {"overwrite at the commit", {}, make_entries(6, 2, 4, 10), "entry 6 (term 4) would overwrite the log at or below the commit index 6"},
        {"overwrite below the commit", {}, make_entries(2, 1, 3, 10), "at or below the commit index 6"},
        {"overwrite with a term below the entry before", {}, make_entries(8, 1, 2, 10), "entry 8 has term 2, below the term 3 of entry 7"},
    };
    for (const auto& c : cases) {
      INFO(c.what);
      auto refused = s.append(c.state, c.entries);
      REQUIRE_FALSE(refused);
      CHECK(refused.error().code() == errc::invalid_argument);
      CHECK_THAT(refused.error().message(), Catch::Contains(c.message));
      expect_unchanged(s, 10, current);
    }
    // What raft does do: cast a vote in a new term, overwrite above the commit with a newer term.
    REQUIRE(s.append({4, 0, 6}, {}));
    REQUIRE(s.append({4, 3, 6}, make_entries(8, 2, 4, 10)));
    expect_unchanged(s, 9, {4, 3, 6});
    REQUIRE(s.close());
  }
  auto reopened = blocking_storage::open(test_store_options(dir, 256 << 10));
  REQUIRE(reopened);
  auto recovered = (*reopened)->recover();
  REQUIRE(recovered);
  CHECK(recovered->state == hard_state{4, 3, 6});
  REQUIRE(recovered->entries.size() == 9);
  CHECK(recovered->entries[6] == make_entries(7, 1, 3, 10)[0]);
  CHECK(recovered->entries[7] == make_entries(8, 1, 4, 10)[0]);
  REQUIRE((*reopened)->close());
}

TEST_CASE("raft rules: snapshots that break them are refused and change nothing", "[actors][rules]") {
  temp_dir dir;
  auto store = blocking_storage::open(test_store_options(dir, 256 << 10));
  REQUIRE(store);
  auto& s = **store;
  REQUIRE(s.append({2, 1, 0}, make_entries(1, 5, 1, 10)));
  REQUIRE(s.append({2, 1, 8}, make_entries(6, 5, 2, 10)));
  auto wrong_term = s.save_snapshot(test_snapshot(8, 1));
  REQUIRE_FALSE(wrong_term);
  CHECK_THAT(wrong_term.error().message(),
             Catch::Contains("snapshot at index 8 has term 1, but the log holds that index with term 2"));
  auto raises_term = s.save_snapshot(test_snapshot(12, 3));
  REQUIRE_FALSE(raises_term);
  CHECK_THAT(raises_term.error().message(), Catch::Contains("above the hard state's term 2"));
  auto st = s.status_report();
  REQUIRE(st);
  CHECK(st->snapshot_index == 0);
  CHECK(st->state == hard_state{2, 1, 8});
  REQUIRE(s.save_snapshot(test_snapshot(8, 2)));
  REQUIRE(s.close());
}
