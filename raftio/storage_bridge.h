// The one path from raft's loop thread to the storage actor. Every storage request raft_io
// makes goes through it, so the storage receives them in the order raft made them (a
// set_term is never overtaken by an append sent before it); each answer runs `done` on the
// bridge's thread, which hands it on (to the loop queue, or to a waiting synchronous call).
#pragma once

#include <functional>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include "actors/storage.h"

namespace raftvault::raftio {

struct completion {
  std::function<void(status)> done;
};

}  // namespace raftvault::raftio

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(raftvault::raftio::completion)

namespace raftvault::raftio {

class storage_bridge {
 public:
  storage_bridge(caf::actor_system& system, actors::storage_actor storage);
  ~storage_bridge();

  // Any one thread (raft's loop); each call's `done` runs once, in call order per kind.
  void append(hard_state state, std::vector<entry> entries, completion done);
  // Saves `snap`; then, when release_to > 0, releases the WAL up to that index.
  void save_snapshot(snapshot snap, std::uint64_t release_to, completion done);
  // Blocks until the storage answered: raft_io's synchronous methods.
  status append_now(hard_state state, std::vector<entry> entries);

 private:
  caf::actor actor_;
};

}  // namespace raftvault::raftio
