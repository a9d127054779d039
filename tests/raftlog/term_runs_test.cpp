#include <catch2/catch.hpp>

#include "raftlog/term_runs.h"

using raftvault::raftlog::term_runs;

TEST_CASE("term runs: one run per term, any index's term", "[raftlog][term_runs]") {
  term_runs t;
  CHECK(t.empty());
  CHECK_FALSE(t.term_at(1));
  for (std::uint64_t i = 5; i <= 10; ++i) t.assign(i, 1);
  for (std::uint64_t i = 11; i <= 20; ++i) t.assign(i, 3);
  CHECK(t.runs() == 2);
  CHECK(t.first() == 5);
  CHECK(t.last() == 20);
  CHECK_FALSE(t.term_at(4));
  CHECK(t.term_at(5) == 1u);
  CHECK(t.term_at(10) == 1u);
  CHECK(t.term_at(11) == 3u);
  CHECK(t.term_at(20) == 3u);
  CHECK_FALSE(t.term_at(21));
}

TEST_CASE("term runs: an overwrite forgets the suffix it replaces", "[raftlog][term_runs]") {
  term_runs t;
  for (std::uint64_t i = 1; i <= 10; ++i) t.assign(i, i <= 5 ? 1 : 2);
  t.assign(4, 7);
  CHECK(t.last() == 4);
  CHECK(t.term_at(3) == 1u);
  CHECK(t.term_at(4) == 7u);
  CHECK_FALSE(t.term_at(5));
  CHECK(t.runs() == 2);
  t.truncate_from(4);
  CHECK(t.last() == 3);
  CHECK(t.runs() == 1);
  t.truncate_from(1);
  CHECK(t.empty());
}

TEST_CASE("term runs: compaction keeps the index it compacts to", "[raftlog][term_runs]") {
  term_runs t;
  for (std::uint64_t i = 1; i <= 30; ++i) t.assign(i, (i + 9) / 10);  // 1..10 t1, 11..20 t2, 21..30 t3
  t.compact_to(15);
  CHECK(t.first() == 15);
  CHECK_FALSE(t.term_at(14));
  CHECK(t.term_at(15) == 2u);
  CHECK(t.term_at(30) == 3u);
  CHECK(t.runs() == 2);
  t.compact_to(31);
  CHECK(t.empty());
}

TEST_CASE("term runs: a snapshot base or a gap starts them over", "[raftlog][term_runs]") {
  term_runs t;
  for (std::uint64_t i = 1; i <= 10; ++i) t.assign(i, 1);
  t.reset(50, 4);
  CHECK(t.first() == 50);
  CHECK(t.last() == 50);
  CHECK(t.term_at(50) == 4u);
  t.assign(51, 4);
  CHECK(t.runs() == 1);
  t.assign(60, 5);  // a gap
  CHECK(t.first() == 60);
  CHECK_FALSE(t.term_at(51));
}
