// Zeros ahead while idle (actors/group_commit_policy.h): when and how much the WAL writer zeroes between
// groups (idle_zero_bytes), and a writer answering small groups with the disk idle between them
// writing the zeros, driven on CAF's test coordinator against a real O_DIRECT segment.
#include <catch2/catch.hpp>

#include <caf/scheduler/test_coordinator.hpp>

#include <algorithm>
#include <chrono>

#include "actors/config.h"
#include "actors/pipeline.h"
#include "actors/group_commit_policy.h"
#include "actors/wal_writer.h"
#include "coordinator_fixture.h"
#include "wal_writer_fixture.h"
#include "service_model.h"
#include "support/test_support.h"

using namespace raftvault;
using namespace raftvault::actors;
using raftvault::testing::make_entries;
using raftvault::testing::temp_dir;

namespace {

// Whole groups on O_DIRECT, idle for 3 fdatasyncs before each, 24 KiB groups, nothing zeroed.
idle_zeroing_inputs closed_loop() {
  return {false, true, 300, 100, 24 << 10, 0};
}

struct idle_run {
  std::uint64_t idle_zeroings = 0;
  std::uint64_t zeroed_ahead = 0;
  std::size_t recovered = 0;
};

// Appends of 4 entries of 1000 bytes, one group each, the disk left idle for three times the
// slowest fdatasync so far (plus 2 ms) after every answer. `append_cap` > 0: half groups.
idle_run groups_with_idle_gaps(int groups, std::uint64_t append_cap) {
  temp_dir dir;
  const auto options = raftvault::testing::writer_test_options(dir);
  idle_run out;
  {
    raftvault::testing::coordinator co;
    auto& system = *co.system;
    auto& sched = *co.sched;
    auto store = open_store(options);
    REQUIRE(store);
    if (!store->log->log().writes_direct()) {
      WARN("no O_DIRECT under " << dir.path() << ": no zeros ahead to write");
      return out;
    }
    raftvault::testing::advanced_clock clock;
    auto writer = spawn_wal_writer(system, store->log->take_wal(), {std::chrono::microseconds(0), 0, clock.clock()});
    sched.run();
    auto status = [&] { return co.round_trip<wal_writer_status>(writer, status_atom::value); };
    for (int g = 0; g < groups; ++g) {
      const std::uint64_t first = 1 + 4 * static_cast<std::uint64_t>(g);
      std::vector<wal_append> appends{{hard_state{1, 1, first - 1}, make_entries(first, 4, 1, 1000), {}}};
      co.round_trip<wal_ack>(writer, append_atom::value, appends,
                             handover_hints{0, 4000, append_cap});
      // The disk idles on the writer's clock: the condition under test.
      const auto synced = status().sync_us;
      const auto slowest = synced.empty() ? 0 : *std::max_element(synced.begin(), synced.end());
      clock.advance(std::chrono::microseconds(3 * slowest + 2000));
    }
    out.idle_zeroings = status().idle_zeroings;
    out.zeroed_ahead = status().zeroed_ahead;
    raftvault::testing::stop_writer(sched, writer);
  }
  out.recovered = raftvault::testing::recovered_entries(options);
  return out;
}

}  // namespace

TEST_CASE("zeros ahead go out between small whole groups while the disk would idle",
          "[actors][group]") {
  CHECK(idle_zero_bytes(closed_loop()) == kIdleZeroBytes);

  auto lone = closed_loop();  // back within a hop: idle for less than two fdatasyncs
  lone.idle_ewma_us = 150;
  CHECK(idle_zero_bytes(lone) == 0);

  auto halves = closed_loop();  // half groups keep the disk busy
  halves.half_groups = true;
  CHECK(idle_zero_bytes(halves) == 0);

  auto buffered = closed_loop();
  buffered.direct = false;
  CHECK(idle_zero_bytes(buffered) == 0);

  auto large = closed_loop();  // large writes convert little for their size
  large.group_bytes = kIdleZeroBytes;
  CHECK(idle_zero_bytes(large) == 0);

  auto enough = closed_loop();
  enough.zeroed_ahead = kIdleZeroBytes;
  CHECK(idle_zero_bytes(enough) == 0);
  enough.zeroed_ahead = kIdleZeroBytes - 4096;
  CHECK(idle_zero_bytes(enough) == kIdleZeroBytes);

  auto unmeasured = closed_loop();  // no fdatasync timed yet
  unmeasured.sync_ewma_us = 0;
  CHECK(idle_zero_bytes(unmeasured) == 0);
}

TEST_CASE("a WAL writer idle between small groups writes zeros ahead, and the log reads the same",
          "[actors][group]") {
  const auto whole = groups_with_idle_gaps(6, 0);
  if (whole.recovered == 0) return;  // no O_DIRECT here (warned)
  CHECK(whole.idle_zeroings >= 1);
  CHECK(whole.zeroed_ahead >= kIdleZeroBytes);
  CHECK(whole.recovered == 24);

  const auto halves = groups_with_idle_gaps(6, 2);
  CHECK(halves.idle_zeroings == 0);
  CHECK(halves.zeroed_ahead < kIdleZeroBytes);
  CHECK(halves.recovered == 24);
}
