// raft's rules as raftlog/log_rules.h states them: one case per rule, the message naming the
// index, and the records a WAL may legitimately hold passing.
#include <catch2/catch.hpp>

#include "raftlog/log_rules.h"

using namespace raftvault;
using namespace raftvault::raftlog;

namespace {

std::vector<entry> make_entries(std::uint64_t first, std::size_t count, std::uint64_t term, std::size_t) {
  std::vector<entry> out(count);
  for (std::size_t i = 0; i < count; ++i) {
    out[i].index = first + i;
    out[i].term = term;
  }
  return out;
}

term_runs terms_of(std::uint64_t first, std::uint64_t last, std::uint64_t term) {
  term_runs t;
  for (auto i = first; i <= last; ++i) t.assign(i, term);
  return t;
}

std::string refusal(const status& s) {
  REQUIRE_FALSE(s);
  CHECK(s.error().code() == errc::invalid_argument);
  return s.error().message();
}

}  // namespace

TEST_CASE("log rules: the hard state's term and commit never go back", "[raftlog][log_rules]") {
  CHECK(check_hard_state({3, 1, 5}, {4, 0, 5}, 10));
  CHECK_THAT(refusal(check_hard_state({3, 1, 5}, {2, 1, 5}, 10)), Catch::Contains("term 2 is below the current term 3"));
  CHECK_THAT(refusal(check_hard_state({3, 1, 5}, {3, 1, 4}, 10)), Catch::Contains("commit 4 is below the current commit 5"));
}

TEST_CASE("log rules: a vote is cast once per term", "[raftlog][log_rules]") {
  CHECK(check_hard_state({3, 0, 0}, {3, 2, 0}, 0));  // casting it
  CHECK(check_hard_state({3, 2, 0}, {3, 2, 0}, 0));
  CHECK(check_hard_state({3, 2, 0}, {4, 1, 0}, 0));  // a new term, a new vote
  CHECK_THAT(refusal(check_hard_state({3, 2, 0}, {3, 1, 0}, 0)),
             Catch::Contains("vote 1 in term 3 changes the vote already cast in that term for 2"));
  CHECK_THAT(refusal(check_hard_state({3, 2, 0}, {3, 0, 0}, 0)), Catch::Contains("changes the vote"));
}

TEST_CASE("log rules: the commit never passes the last index", "[raftlog][log_rules]") {
  CHECK(check_hard_state({1, 1, 0}, {1, 1, 10}, 10));
  CHECK_THAT(refusal(check_hard_state({1, 1, 0}, {1, 1, 11}, 10)), Catch::Contains("commit 11 is beyond the last index 10"));
}

TEST_CASE("log rules: terms never decrease along the log", "[raftlog][log_rules]") {
  const auto terms = terms_of(1, 10, 3);
  CHECK(check_entries(terms, 0, make_entries(11, 2, 3, 8), rewrite_rule::refuse));
  CHECK_THAT(refusal(check_entries(terms, 0, make_entries(11, 1, 2, 8), rewrite_rule::refuse)),
             Catch::Contains("entry 11 has term 2, below the term 3 of entry 10"));
  // An overwrite is judged against the entry before it, not the last one.
  CHECK(check_entries(terms_of(1, 5, 1), 0, make_entries(3, 1, 1, 8), rewrite_rule::refuse));
  auto falling = make_entries(11, 2, 5, 8);
  falling[1].term = 4;
  CHECK_THAT(refusal(check_entries(terms, 0, falling, rewrite_rule::refuse)),
             Catch::Contains("entry 12 has term 4, below the term 5 of entry 11"));
}

TEST_CASE("log rules: nothing at or below the commit is overwritten", "[raftlog][log_rules]") {
  const auto terms = terms_of(1, 10, 2);
  CHECK(check_entries(terms, 6, make_entries(7, 1, 3, 8), rewrite_rule::refuse));
  CHECK_THAT(refusal(check_entries(terms, 6, make_entries(6, 1, 3, 8), rewrite_rule::refuse)),
             Catch::Contains("entry 6 (term 3) would overwrite the log at or below the commit index 6"));
  // On disk, an entry written again with its own term (a truncation made durable) is no change.
  CHECK(check_entry(terms, 6, 6, 2, rewrite_rule::allow_same_term));
  CHECK_FALSE(check_entry(terms, 6, 6, 2, rewrite_rule::refuse));
  CHECK_FALSE(check_entry(terms, 6, 6, 3, rewrite_rule::allow_same_term));
}

TEST_CASE("log rules: a snapshot carries the log's term at its index", "[raftlog][log_rules]") {
  const auto terms = terms_of(1, 10, 2);
  CHECK(check_snapshot_term(terms, {8, 2}));
  CHECK(check_snapshot_term(terms, {20, 5}));  // beyond the log: nothing to compare
  CHECK_THAT(refusal(check_snapshot_term(terms, {8, 1})),
             Catch::Contains("snapshot at index 8 has term 1, but the log holds that index with term 2"));
}

TEST_CASE("log rules: a WAL's records in order", "[raftlog][log_rules]") {
  record_rules rules;
  for (std::uint64_t i = 1; i <= 10; ++i) REQUIRE(rules.entry(i, 1));
  REQUIRE(rules.state({1, 1, 10}));
  REQUIRE(rules.snapshot({10, 1}));
  REQUIRE(rules.snapshot({30, 2}));  // installed beyond the log: its new base
  REQUIRE(rules.state({2, 0, 30}));
  REQUIRE(rules.entry(31, 2));
  REQUIRE(rules.entry(31, 2));  // written again with its own term
  CHECK_THAT(refusal(rules.entry(32, 1)), Catch::Contains("entry 32 has term 1, below the term 2 of entry 31"));
  // A record that breaks a rule is taken in as a restart takes it: the next is judged after it.
  CHECK_THAT(refusal(rules.entry(30, 3)), Catch::Contains("entry 30 (term 3) would overwrite"));
  REQUIRE_FALSE(rules.entry(31, 2));  // below entry 30's term 3 now
  REQUIRE(rules.state({2, 3, 30}));   // casting the vote of term 2
  CHECK_THAT(refusal(rules.state({2, 4, 30})), Catch::Contains("changes the vote"));
  CHECK_THAT(refusal(rules.snapshot({30, 1})), Catch::Contains("snapshot at index 30 has term 1"));
}
