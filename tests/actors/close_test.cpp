// Closing the storage while other requests are still being answered, driven on CAF's test
// coordinator (every actor on the test's thread, a message processed only when the test runs
// the scheduler). CAF 0.17 drops an undelivered response promise silently when its actor stops:
// a request accepted before close must get its answer, or its requester waits forever.
// Files and fsyncs are real.
#include <catch2/catch.hpp>

#include <caf/scheduler/test_coordinator.hpp>

#include "coordinator_fixture.h"

using namespace raftvault;
using namespace raftvault::actors;
using raftvault::testing::coordinated_store;
using raftvault::testing::make_entries;

namespace {

template <class T>
void check_answered(const coordinated_store::slot<T>& reply) {
  REQUIRE(*reply);  // answered at all
  INFO(((**reply) ? std::string() : (**reply).error().describe()));
  CHECK(**reply);
}

}  // namespace

TEST_CASE("close: a release accepted before close is answered", "[actors][close]") {
  coordinated_store s;
  s.fill();
  // Both in the storage's mailbox before it runs: the release reaches the WAL writer before
  // the close, and the snapshot writer's part of it runs while the close is under way.
  auto snapshotted = s.ask<std::uint64_t>(snapshot_atom::value, s.snapshot_at(30));
  s.sched->run();
  check_answered(snapshotted);
  auto released = s.ask<bool>(release_atom::value, std::uint64_t{30});
  auto closed = s.ask<bool>(close_atom::value);
  s.sched->run();
  check_answered(closed);
  check_answered(released);
}

TEST_CASE("close: a status request accepted before close is answered", "[actors][close]") {
  coordinated_store s;
  s.fill();
  auto status = s.ask<storage_status>(status_atom::value);
  auto closed = s.ask<bool>(close_atom::value);
  s.sched->run();
  check_answered(closed);
  check_answered(status);
  if (*status && **status) CHECK((***status).last_index == 40);
}

TEST_CASE("close: an append arriving while the WAL closes is refused, not left waiting",
          "[actors][close]") {
  coordinated_store s;
  s.fill();
  auto closed = s.ask<bool>(close_atom::value);
  REQUIRE(s.sched->try_run_once());  // the client sends close
  REQUIRE(s.sched->try_run_once());  // the storage asks the WAL writer to close
  REQUIRE(s.sched->jobs.size() == 1);  // the WAL writer, not run yet
  // An append from another client reaches the storage before the WAL writer's answer.
  auto late = s.ask<std::uint64_t>(append_atom::value, hard_state{1, 1, 40}, make_entries(41, 1, 1, 100));
  while (s.sched->jobs.size() > 1 && s.sched->try_run_once_lifo()) {
  }
  s.sched->run();
  check_answered(closed);
  REQUIRE(*late);  // answered at all
  REQUIRE_FALSE(**late);
  CHECK((**late).error().code() == errc::closed);
}

TEST_CASE("close: a status request arriving while the WAL closes is answered", "[actors][close]") {
  coordinated_store s;
  s.fill();
  auto closed = s.ask<bool>(close_atom::value);
  REQUIRE(s.sched->try_run_once());  // the client sends close
  REQUIRE(s.sched->try_run_once());  // the storage asks the WAL writer to close
  REQUIRE(s.sched->jobs.size() == 1);  // the WAL writer, not run yet
  auto status = s.ask<storage_status>(status_atom::value);
  while (s.sched->jobs.size() > 1 && s.sched->try_run_once_lifo()) {
  }
  s.sched->run();
  check_answered(closed);
  REQUIRE(*status);  // answered at all
  REQUIRE_FALSE(**status);
  CHECK((**status).error().code() == errc::closed);
}
