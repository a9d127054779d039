#include "actors/key_rotator.h"

#include "actors/thread_priority.h"

#include "actors/held_keys.h"
#include "fileio/crash_point.h"

namespace raftvault::actors {

const char* key_rotator_state::name = "raftvault.key_rotator";

// Runs when the actor terminates: CAF drops undelivered promises silently, so answer everyone.
key_rotator_state::~key_rotator_state() {
  auto err = to_caf(raftvault::error(errc::closed, "the key rotator stopped"));
  for (auto& w : waiters) w.deliver(err);
  for (auto& w : next_waiters) w.deliver(err);
}

namespace {

using rotator_pointer = key_rotator_actor::stateful_pointer<key_rotator_state>;

void start_rotation(rotator_pointer self);

// Runs `next` after the step pause (at once when it is 0). The actor keeps answering status,
// KEK and autolock requests meanwhile; requests to rotate queue as F as during any step.
void after_pause(rotator_pointer self, std::function<void()> next) {
  auto& st = self->state;
  if (st.step_pause.count() == 0) return next();
  st.after_pause = std::move(next);
  self->delayed_send(self, st.step_pause, step_atom::value);
}

// The rotation cannot finish now: it stays pending ({C,P} on disk, both keys held, nothing
// retired) and is retried later. Its requesters learn why, and so do those of the next one
// (F stays on disk, so that one still runs after a successful retry): they are only ever
// answered by a rotation that finishes, and on a fail-stopped storage none will.
void leave_pending(rotator_pointer self, const raftvault::error& why) {
  auto& st = self->state;
  st.current = key_rotator_state::step::idle;
  const auto reply = to_caf(why.with_context("DEK rotation left pending, will retry"));
  for (auto& w : st.waiters) w.deliver(reply);
  st.waiters.clear();
  for (auto& w : st.next_waiters) w.deliver(reply);
  st.next_waiters.clear();
  if (!st.retry_scheduled) {
    st.retry_scheduled = true;
    self->delayed_send(self, st.retry_interval, retry_atom::value);
  }
}

// `failed`: the key file retired C, but deleting the old files did not work; the requesters
// get that error instead of the report.
void finish_rotation(rotator_pointer self, const caf::error* failed = nullptr) {
  auto& st = self->state;
  st.report.duration_us = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() -
                                                            st.started)
          .count());
  for (auto& w : st.waiters) {
    if (failed) {
      w.deliver(*failed);
    } else {
      w.deliver(st.report);
    }
  }
  st.waiters.clear();
  st.current = key_rotator_state::step::idle;
  // Requests made during this rotation (F) start the next one.
  if (!st.next_waiters.empty() || st.store->status().needs_rotation) {
    st.waiters = std::move(st.next_waiters);
    st.next_waiters.clear();
    start_rotation(self);
  }
}

void retire(rotator_pointer self) {
  auto& st = self->state;
  st.current = key_rotator_state::step::retiring;
  // Persist {C := P} first: from here on a restart opens with P alone.
  if (auto completed = st.store->complete_rotation(); !completed) return leave_pending(self, completed.error());
  fileio::crash_point("rotation.after_retire_persisted");
  self->request(st.storage(), caf::infinite, retire_atom::value, st.report.old_id)
      .then([self](std::uint64_t) {
              fileio::crash_point("rotation.after_old_files_deleted");
              finish_rotation(self);
            },
            [self](caf::error& err) {
              // The key file already retired C; only the old files' deletion failed. Report it,
              // and start a rotation requested meanwhile as a clean retire does: nothing else
              // would (no retry is pending), and its requesters wait for it.
              finish_rotation(self, &err);
            });
}

void force_snapshot(rotator_pointer self) {
  auto& st = self->state;
  st.current = key_rotator_state::step::snapshotting;
  const auto& b = st.barrier;
  if (b.last_old == 0 && b.snapshot_index == 0) {  // nothing was ever sealed with C
    st.report.snapshot_index = 0;
    return retire(self);
  }
  if (!st.provider)
    return leave_pending(self, raftvault::error(errc::invalid_argument,
                                                "no snapshot provider is registered"));
  const auto min_index = std::max(b.last_old, b.snapshot_index + 1);
  self->request(*st.provider, caf::infinite, take_snap_atom::value, min_index)
      .then(
          [self, min_index](snapshot& snap) {
            if (snap.metadata.index < min_index)
              return leave_pending(
                  self, raftvault::error(errc::invalid_argument,
                                         "the snapshot provider answered with index " +
                                             std::to_string(snap.metadata.index) + ", need >= " +
                                             std::to_string(min_index)));
            self->request(self->state.storage(), caf::infinite, snapshot_atom::value, std::move(snap))
                .then(
                    [self](std::uint64_t index) {
                      fileio::crash_point("rotation.after_snapshot");
                      self->state.report.snapshot_index = index;
                      after_pause(self, [self] { retire(self); });
                    },
                    [self](caf::error& err) { leave_pending(self, from_caf(err)); });
          },
          [self](caf::error& err) {
            leave_pending(self, from_caf(err).with_context("snapshot provider failed"));
          });
}

// The barrier: appends before it sealed with C and durable, later ones sealed with P.
void drain(rotator_pointer self) {
  auto& st = self->state;
  const auto status = st.store->status();
  st.report = rotation_report{};
  st.report.old_id = status.current_generation;
  st.report.new_id = *status.pending_generation;
  auto pending = hold_copy(*st.store->pending_key());
  if (!pending) return leave_pending(self, pending.error());
  self->request(st.storage(), caf::infinite, switch_atom::value, *pending)
      .then(
          [self](barrier_report barrier) {
            fileio::crash_point("rotation.after_drain");
            self->state.barrier = barrier;
            self->state.report.last_old = barrier.last_old;
            after_pause(self, [self] { force_snapshot(self); });
          },
          [self](caf::error& err) { leave_pending(self, from_caf(err)); });
}

void prepare(rotator_pointer self) {
  auto& st = self->state;
  if (auto prepared = st.store->prepare_rotation(); !prepared) return leave_pending(self, prepared.error());
  fileio::crash_point("rotation.after_prepare");
  after_pause(self, [self] { drain(self); });
}

void start_rotation(rotator_pointer self) {
  auto& st = self->state;
  st.started = std::chrono::steady_clock::now();
  st.current = key_rotator_state::step::draining;
  const auto status = st.store->status();
  if (status.pending_generation) return drain(self);  // {C,P} persisted: resume at the barrier
  const bool writes_f = !status.needs_rotation;
  if (writes_f) {
    if (auto requested = st.store->request_rotation(); !requested) return leave_pending(self, requested.error());
  }
  fileio::crash_point("rotation.after_request");
  if (!writes_f) return prepare(self);  // F was on disk already
  after_pause(self, [self] { prepare(self); });
}

rotator_status status_of(const keys::key_store& store, bool rotating) {
  const auto s = store.status();
  rotator_status out;
  out.current = s.current_generation;
  out.pending = s.pending_generation.value_or(0);
  out.needs_rotation = s.needs_rotation;
  out.kek_version = s.kek_version;
  out.locked = s.locked;
  out.rotating = rotating;
  switch (s.state) {
    case keys::rotation_state::steady: out.state = "{C}"; break;
    case keys::rotation_state::requested: out.state = "{C,F}"; break;
    case keys::rotation_state::pending: out.state = "{C,P}"; break;
    case keys::rotation_state::pending_and_requested: out.state = "{C,P,F}"; break;
  }
  return out;
}

}  // namespace

key_rotator_actor::behavior_type key_rotator(rotator_pointer self, storage_actor storage,
                                             std::shared_ptr<keys::key_store> store,
                                             std::chrono::milliseconds retry_interval,
                                             std::uint64_t nice, std::chrono::microseconds step_pause,
                                             bool encrypted) {
  lower_this_thread_priority(nice);  // runs on the actor's own thread when detached
  auto& st = self->state;
  st.storage_addr = caf::actor_cast<caf::actor_addr>(storage);
  st.store = std::move(store);
  st.retry_interval = retry_interval;
  st.step_pause = step_pause;
  st.encrypted = encrypted;
  // An interrupted or requested rotation resumes at start-up.
  const auto boot = st.store->status();
  if (encrypted && (boot.pending_generation || boot.needs_rotation)) self->send(self, retry_atom::value);

  return {
      [self](rotate_dek_atom) -> caf::result<rotation_report> {
        auto& st = self->state;
        // Refused before anything is persisted: the switch to P would fail at the barrier
        // and leave {C,P} pending, retried for ever.
        if (!st.encrypted)
          return to_caf(raftvault::error(errc::invalid_argument,
                                         "DEK rotation refused: the store is plaintext (cipher none), "
                                         "its entries are sealed with no key, so no data key is in use"));
        auto promise = self->make_response_promise<rotation_report>();
        if (st.current != key_rotator_state::step::idle) {
          // Coalesce: persisted as F, served by the next rotation.
          if (auto requested = st.store->request_rotation(); !requested) return to_caf(requested.error());
          st.next_waiters.push_back(promise);
          return promise;
        }
        st.waiters.push_back(promise);
        start_rotation(self);
        return promise;
      },
      [self](rotate_kek_atom, const std::string& text, std::uint64_t version) -> caf::result<bool> {
        auto key = keys::unlock_key::parse(text);
        if (!key) return to_caf(key.error());
        auto updated = self->state.store->update_kek(&*key, version);
        if (!updated) return to_caf(updated.error());
        if (self->state.store->status().needs_rotation) self->send(self, retry_atom::value);
        return *updated;
      },
      [self](autolock_atom, bool on) -> caf::result<std::string> {
        auto changed = self->state.store->set_autolock(on);
        if (!changed) return to_caf(changed.error());
        if (self->state.store->status().needs_rotation) self->send(self, retry_atom::value);
        if (!*changed) return std::string();
        auto text = (*changed)->text();
        if (!text) return to_caf(text.error());
        return std::string(text->view());
      },
      [self](provider_atom, snapshot_provider_actor provider) {
        self->state.provider = std::move(provider);
      },
      [self](status_atom) {
        return status_of(*self->state.store, self->state.current != key_rotator_state::step::idle);
      },
      [self](retry_atom) {
        auto& st = self->state;
        st.retry_scheduled = false;
        const auto s = st.store->status();
        if (st.encrypted && st.current == key_rotator_state::step::idle &&
            (s.pending_generation || s.needs_rotation))
          start_rotation(self);
      },
      [self](step_atom) {
        auto next = std::move(self->state.after_pause);
        self->state.after_pause = nullptr;
        if (next) next();
      },
  };
}

}  // namespace raftvault::actors
