// A storage actor on CAF's test coordinator (every actor on the test's thread, a message
// processed only when the test runs the scheduler), over a real store with 64 KiB segments.
#pragma once

#include <catch2/catch.hpp>

#include <caf/scheduler/test_coordinator.hpp>

#include "actors/pipeline.h"
#include "coordinator_options.h"
#include "service_model.h"
#include "support/test_support.h"

namespace raftvault::testing {

struct coordinated_store {
  using pipeline_options = actors::pipeline_options;
  using pipeline_config = actors::pipeline_config;
  using storage_actor = actors::storage_actor;

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
    raftvault::testing::drive_on_coordinator(options);
    config.set("scheduler.policy", caf::atom("testing"));
    system = std::make_unique<caf::actor_system>(config);
    sched = &dynamic_cast<caf::scheduler::test_coordinator&>(system->scheduler());
    auto store = actors::open_store(options);
    INFO((store ? std::string() : store.error().describe()));
    REQUIRE(store);
    storage = actors::spawn_storage(*system, options, std::move(*store));
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
                    [out](caf::error& err) { out->emplace(actors::from_caf(err)); });
        },
        out, storage, xs...);
    return out;
  }

  // A state machine snapshot at `index` (term 1, one voter).
  static snapshot snapshot_at(std::uint64_t index) {
    snapshot snap;
    snap.data = "state machine at " + std::to_string(index);
    snap.metadata.index = index;
    snap.metadata.term = 1;
    snap.metadata.conf.voters = {1};
    return snap;
  }

  // Entries 1..40 of 4 KiB: the WAL spans several 64 KiB segments.
  void fill() {
    for (std::uint64_t first = 1; first <= 40; first += 10) {
      auto appended = ask<std::uint64_t>(actors::append_atom::value, hard_state{1, 1, first - 1},
                                         make_entries(first, 10, 1, 4096));
      sched->run();
      REQUIRE(*appended);
      REQUIRE(**appended);
    }
  }
};

}  // namespace raftvault::testing
