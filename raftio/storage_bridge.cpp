#include "raftio/storage_bridge.h"

#include <future>

#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>

namespace raftvault::raftio {
namespace {

caf::behavior bridge(caf::event_based_actor* self, actors::storage_actor storage) {
  return {
      [self, storage](actors::append_atom, hard_state& state, std::vector<entry>& entries, completion& c) {
        self->request(storage, caf::infinite, actors::append_atom::value, std::move(state), std::move(entries))
            .then([c](std::uint64_t) { c.done({}); },
                  [c](caf::error& err) { c.done(actors::from_caf(err)); });
      },
      [self, storage](actors::snapshot_atom, snapshot& snap, std::uint64_t release_to, completion& c) {
        self->request(storage, caf::infinite, actors::snapshot_atom::value, std::move(snap))
            .then(
                [self, storage, release_to, c](std::uint64_t) {
                  if (release_to == 0) return c.done({});
                  self->request(storage, caf::infinite, actors::release_atom::value, release_to)
                      .then([c](bool) { c.done({}); },
                            [c](caf::error& err) { c.done(actors::from_caf(err)); });
                },
                [c](caf::error& err) { c.done(actors::from_caf(err)); });
      },
  };
}

}  // namespace

storage_bridge::storage_bridge(caf::actor_system& system, actors::storage_actor storage)
    : actor_(system.spawn(bridge, std::move(storage))) {}

storage_bridge::~storage_bridge() { caf::anon_send_exit(actor_, caf::exit_reason::user_shutdown); }

void storage_bridge::append(hard_state state, std::vector<entry> entries, completion done) {
  caf::anon_send(actor_, actors::append_atom::value, std::move(state), std::move(entries), std::move(done));
}

void storage_bridge::save_snapshot(snapshot snap, std::uint64_t release_to, completion done) {
  caf::anon_send(actor_, actors::snapshot_atom::value, std::move(snap), release_to, std::move(done));
}

status storage_bridge::append_now(hard_state state, std::vector<entry> entries) {
  auto answered = std::make_shared<std::promise<status>>();
  auto result = answered->get_future();
  append(std::move(state), std::move(entries), {[answered](status s) { answered->set_value(std::move(s)); }});
  return result.get();
}

}  // namespace raftvault::raftio
