// A WAL writer driven on CAF's test coordinator against a real plaintext store: its options,
// its shutdown, and what a reopen recovers (tests/actors/wal_writer_*_test.cpp).
#pragma once

#include <catch2/catch.hpp>

#include <caf/scheduler/test_coordinator.hpp>

#include <chrono>
#include <functional>
#include <memory>

#include "actors/config.h"
#include "actors/pipeline.h"
#include "actors/wal_writer.h"
#include "coordinator_fixture.h"
#include "support/test_support.h"

namespace raftvault::testing {

// A plaintext store the test coordinator drives (no detached I/O actors).
inline actors::pipeline_options writer_test_options(const temp_dir& dir) {
  actors::pipeline_options options;
  options.data_dir = dir / "store";
  options.create_if_missing = true;
  options.cipher = codec::cipher::none;
  raftvault::testing::drive_on_coordinator(options);
  return options;
}

// The writer's clock in these tests: the real one plus what the test added. Writes and
// fdatasyncs are timed as in production, plus `step` per reading (so that every one of them
// takes at least that, however fast the disk), and a test makes idle disk time by advancing
// the clock instead of sleeping.
class advanced_clock {
 public:
  explicit advanced_clock(std::chrono::microseconds step = {}) { shared_->step = step; }
  std::function<std::chrono::steady_clock::time_point()> clock() const {
    return [shared = shared_] {
      shared->offset += shared->step;
      return std::chrono::steady_clock::now() + shared->offset;
    };
  }
  void advance(std::chrono::steady_clock::duration by) { shared_->offset += by; }

 private:
  struct state {
    std::chrono::steady_clock::duration offset{};
    std::chrono::microseconds step{};
  };
  std::shared_ptr<state> shared_ = std::make_shared<state>();
};

// Stops `writer`: its destructor answers whatever is pending, and it closes the WAL it owns.
inline void stop_writer(caf::scheduler::test_coordinator& sched, actors::wal_writer_actor& writer) {
  caf::anon_send_exit(writer, caf::exit_reason::user_shutdown);
  writer = nullptr;
  sched.run();
}

// The entries a reopen of the store recovers.
inline std::size_t recovered_entries(const actors::pipeline_options& options) {
  auto reopened = actors::open_store(options);
  REQUIRE(reopened);
  return reopened->recovered.entries.size();
}

}  // namespace raftvault::testing
