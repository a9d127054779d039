// The deterministic set-up of the actor tests: CAF's test coordinator runs every actor on the
// test's own thread and processes a message only when the test runs the scheduler; timers fire
// only when the test dispatches them. Files, fsyncs and crypto stay real.
//   drive_on_coordinator  pipeline options for a pipeline on the coordinator
//   coordinator           an actor system on it, and requests whose replies the test reads
//   coordinated_store     a storage actor on it over a real store in a temporary directory
#pragma once

#include <catch2/catch.hpp>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/scheduler/test_coordinator.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "actors/config.h"
#include "actors/pipeline.h"
#include "service_model.h"
#include "support/test_support.h"

namespace raftvault::testing {

// detach_io = false only keeps the I/O actors off their own threads; the rules a test does not
// want are switched off here, by name, so that every other rule runs as in production.
inline void drive_on_coordinator(actors::pipeline_options& options) {
  options.detach_io = false;
  // No linger or step-pause timers: the tests run what is queued (sched.run()) and trigger
  // only the timeouts they expect (the linger tests use the coordinator's timeouts).
  options.group_commit_linger_us = 0;
  options.rotation_step_pause_us = 0;
  // The automatic mode decides on the pipeline's clock; the tests count groups.
  options.group_commit_mode = actors::group_mode_setting::whole;
  // The background actors run on the test's own thread, which must keep its priority.
  options.background_nice = 0;
}

// Where a request's reply lands: empty until answered.
template <class T>
using reply_slot = std::shared_ptr<std::optional<result<T>>>;

struct coordinator {
  actors::pipeline_config config;
  std::unique_ptr<caf::actor_system> system;
  caf::scheduler::test_coordinator* sched = nullptr;

  coordinator() {
    config.set("scheduler.policy", caf::atom("testing"));
    system = std::make_unique<caf::actor_system>(config);
    sched = &dynamic_cast<caf::scheduler::test_coordinator&>(system->scheduler());
  }

  // Sends a request from a fresh client actor once the scheduler runs it (clients spawned in
  // a row send in that order); the reply lands in the slot.
  template <class T, class Handle, class... Ts>
  reply_slot<T> request(const Handle& dest, Ts... xs) {
    auto out = std::make_shared<std::optional<result<T>>>();
    // Everything goes in as spawn arguments: CAF 0.17 dereferences a null argument tuple for
    // an actor spawned without any (UBSan reports it).
    system->spawn(
        [](caf::event_based_actor* self, reply_slot<T> out, Handle to, Ts... ys) {
          self->request(to, caf::infinite, ys...)
              .then([out](T value) { out->emplace(std::move(value)); },
                    [out](caf::error& err) { out->emplace(actors::from_caf(err)); });
        },
        out, dest, xs...);
    return out;
  }

  // A request/reply round trip: sends, runs every job there is, and returns the reply, which
  // must be a success.
  template <class T, class Handle, class... Ts>
  T round_trip(const Handle& dest, Ts... xs) {
    auto reply = request<T>(dest, xs...);
    sched->run();
    REQUIRE(*reply);
    INFO(((**reply) ? std::string() : (**reply).error().describe()));
    REQUIRE(**reply);
    return std::move(***reply);
  }
};

// A storage actor on the coordinator over a real store (64 KiB segments unless `adjust`, run
// before the store opens, says otherwise).
struct coordinated_store : coordinator {
  using pipeline_options = actors::pipeline_options;
  using storage_actor = actors::storage_actor;
  template <class T>
  using slot = reply_slot<T>;

  temp_dir dir;
  pipeline_options options;
  storage_actor storage;

  explicit coordinated_store(const std::function<void(pipeline_options&)>& adjust = {}) {
    options.data_dir = dir / "store";
    options.create_if_missing = true;
    options.segment_size = 64 << 10;  // several segments for a release to take out
    drive_on_coordinator(options);
    if (adjust) adjust(options);
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

  template <class T, class... Ts>
  slot<T> ask(Ts... xs) {
    return request<T>(storage, xs...);
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
