// A request/reply round trip on CAF's test coordinator, for tests that drive actors message by
// message: spawns a requester, runs every job there is, and returns the reply.
#pragma once

#include <catch2/catch.hpp>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/scheduler/test_coordinator.hpp>

#include <optional>

namespace raftvault::testing {

template <class Reply, class Handle, class... Ts>
Reply ask_on_coordinator(caf::actor_system& system, caf::scheduler::test_coordinator& sched,
                         const Handle& dest, Ts... message) {
  std::optional<Reply> reply;
  // `dest` as an argument: CAF 0.17 spawning a function with no arguments dereferences a null
  // shared_ptr (UBSan reports it).
  system.spawn(
      [&reply, message...](caf::event_based_actor* self, Handle to) {
        self->request(to, caf::infinite, message...).then([&reply](Reply& r) { reply = std::move(r); });
      },
      dest);
  sched.run();
  REQUIRE(reply);
  return std::move(*reply);
}

}  // namespace raftvault::testing
