// The pipeline's clock (pipeline_options::clock): group-commit-mode=auto decides on it, and the
// WAL writer measures disk and idle time with it, so a test makes time pass without sleeping.
// Driven on CAF's test coordinator; files and fsyncs are real.
#include <catch2/catch.hpp>

#include <chrono>
#include <vector>

#include "coordinator_fixture.h"
#include "wal_writer_fixture.h"

using namespace raftvault;
using namespace raftvault::actors;
using raftvault::testing::coordinated_store;
using raftvault::testing::make_entries;

TEST_CASE("group-commit-mode=auto switches and measures again on the pipeline's clock",
          "[actors][group]") {
  // Every reading of the clock takes 50 ms: the disk times it measures are about equal
  // whatever the real fdatasyncs take (a slow first one would hold the averages back).
  raftvault::testing::advanced_clock clock{std::chrono::milliseconds(50)};
  coordinated_store s([&](pipeline_options& o) {
    o.group_commit_mode = group_mode_setting::automatic;
    o.clock = clock.clock();
  });
  std::uint64_t next = 1;
  // Eight appends in flight together, answered by whole groups.
  auto round = [&] {
    std::vector<coordinated_store::slot<std::uint64_t>> replies;
    for (int i = 0; i < 8; ++i, ++next)
      replies.push_back(s.ask<std::uint64_t>(append_atom::value, hard_state{1, 1, next - 1},
                                             make_entries(next, 1, 1, 100)));
    s.sched->run();
    for (const auto& reply : replies) {
      REQUIRE(*reply);
      REQUIRE(**reply);
    }
  };
  auto half_groups = [&] { return s.round_trip<storage_status>(s.storage, status_atom::value).half_groups; };

  // The disk sits idle a second before every group on the pipeline's clock: the appends' round
  // trip outweighs the disk time, so half groups pay.
  for (int i = 0; i < 12 && !half_groups(); ++i) {
    clock.advance(std::chrono::seconds(1));
    round();
  }
  CHECK(half_groups());
  // Two seconds on the same clock: half groups go back to whole ones to measure again.
  clock.advance(std::chrono::seconds(3));
  round();
  CHECK_FALSE(half_groups());
}
