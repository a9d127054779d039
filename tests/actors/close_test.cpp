// Closing the storage while other requests are still being answered, driven on CAF's test
// coordinator (every actor on the test's thread, a message processed only when the test runs
// the scheduler). CAF 0.17 drops an undelivered response promise silently when its actor stops:
// a request accepted before close must get its answer, or its requester waits forever.
// Files and fsyncs are real.
#include <catch2/catch.hpp>

#include <caf/scheduler/test_coordinator.hpp>

#include "actors/pipeline.h"
#include "service_model.h"
#include "support/test_support.h"

using namespace raftvault;
using namespace raftvault::actors;
using raftvault::testing::make_entries;
using raftvault::testing::temp_dir;

namespace {

struct coordinated_store {
  temp_dir dir;
  pipeline_options options;
  pipeline_config config;
  std::unique_ptr<caf::actor_system> system;
  caf::scheduler::test_coordinator* sched = nullptr;
  storage_actor storage;

  template <class T>
  using slot = std::shared_ptr<std::optional<result<T>>>;

  coordinated_store() {
    options.data_dir = dir / "store";
    options.create_if_missing = true;
    options.segment_size = 64 << 10;  // several segments for a release to take out
    options.detach_io = false;
    config.set("scheduler.policy", caf::atom("testing"));
    system = std::make_unique<caf::actor_system>(config);
    sched = &dynamic_cast<caf::scheduler::test_coordinator&>(system->scheduler());
    auto store = open_store(options);
    INFO((store ? std::string() : store.error().describe()));
    REQUIRE(store);
    storage = spawn_storage(*system, options, std::move(*store));
    sched->run();
  }

  ~coordinated_store() {
    if (storage) caf::anon_send_exit(storage, caf::exit_reason::user_shutdown);
    storage = nullptr;
    sched->run();
  }

  // Sends a request from a fresh client actor once the scheduler runs it; clients spawned in
  // a row send in that order.
  template <class T, class... Ts>
  slot<T> ask(Ts... xs) {
    auto out = std::make_shared<std::optional<result<T>>>();
    system->spawn(
        [](caf::event_based_actor* self, slot<T> out, storage_actor dest, Ts... xs) {
          self->request(dest, caf::infinite, xs...)
              .then([out](T value) { out->emplace(std::move(value)); },
                    [out](caf::error& err) { out->emplace(from_caf(err)); });
        },
        out, storage, xs...);
    return out;
  }

  // Entries 1..40 of 4 KiB: the WAL spans several 64 KiB segments.
  void fill() {
    for (std::uint64_t first = 1; first <= 40; first += 10) {
      auto appended = ask<std::uint64_t>(append_atom::value, hard_state{1, 1, first - 1},
                                         make_entries(first, 10, 1, 4096));
      sched->run();
      REQUIRE(*appended);
      REQUIRE(**appended);
    }
  }
};

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
