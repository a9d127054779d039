#include "actors/storage.h"

#include "actors/storage_state.h"

namespace raftvault::actors {

const char* storage_state::name = "raftvault.storage";

// CAF destroys the state when the actor terminates, before anything else runs, and drops an
// undelivered promise silently: so every waiting requester is answered here.
storage_state::~storage_state() {
  const auto err = to_caf(failure ? *failure : raftvault::error(errc::closed, "the storage actor stopped"));
  for (auto& b : waiting) b.promise.deliver(err);
  for (auto& [seq, b] : sealing) b.promise.deliver(err);
  for (auto& b : barriers) b.promise.deliver(err);
  for (auto& job : snapshots) job.promise.deliver(err);
  if (closing) closing->deliver(err);
}

namespace {

template <class Fn, class... Ts>
auto spawn_io(storage_pointer self, bool detach, Fn fn, Ts&&... xs) {
  // Blocking I/O runs on its own thread unless a test drives everything on one scheduler.
  if (detach) return self->spawn<caf::linked + caf::detached>(fn, std::forward<Ts>(xs)...);
  return self->spawn<caf::linked>(fn, std::forward<Ts>(xs)...);
}

caf::error closed_error(storage_state& st) {
  return to_caf(st.failure ? *st.failure : raftvault::error(errc::closed, "the store is closed"));
}

}  // namespace

storage_actor::behavior_type storage(storage_pointer self, pipeline_options options,
                                     storage_start start) {
  auto& st = self->state;
  auto& recovered = start.recovered;
  st.options = options;
  st.now = options.clock;
  if (!st.now) st.now = [] { return group_mode::clock::now(); };
  st.codec = start.codec;
  st.position = recovered_position(recovered);
  st.handed_state = recovered.state;
  // A rewrite before the restart may have replaced higher indexes: the WAL still holds them.
  // Read before the WAL goes to the writer; from then on this actor never touches it.
  st.highest_index = std::max(st.position.last_index, start.wal->highest_index());
  st.recovered = std::move(recovered);
  st.groups = group_mode(options.group_commit_mode);
  st.wal = spawn_wal_writer(self, options.detach_io, std::move(start.wal),
                            {std::chrono::microseconds(options.group_commit_linger_us),
                             options.group_commit_bytes, options.clock});
  st.snaps = spawn_io(self, options.detach_io, snapshot_writer, start.layout.snap_dir(),
                      options.segment_delete_rate, options.background_nice);
  // Crypto workers seal batches above crypto-inline-bytes, milliseconds of CPU each: on the
  // scheduler's workers (one per core) they would hold back the facade's replies meanwhile.
  for (std::size_t i = 0; i < options.crypto_workers; ++i)
    st.pool.push_back(spawn_io(self, options.detach_io, crypto_worker, i));
  st.rotator = spawn_io(self, options.detach_io, key_rotator, caf::actor_cast<storage_actor>(self),
                        std::move(start.keys), std::chrono::milliseconds(options.rotation_retry_ms),
                        options.background_nice,
                        std::chrono::microseconds(options.rotation_step_pause_us),
                        st.codec->encrypted());
  return {
      [self](recover_atom) -> caf::result<recovered_state> {
        auto& st = self->state;
        if (st.recovered) {
          auto out = std::move(*st.recovered);
          st.recovered.reset();
          return out;
        }
        recovered_state out;
        out.state = st.position.state;
        return out;
      },
      [self](append_atom, hard_state& state,
             std::vector<entry>& entries) -> caf::result<std::uint64_t> {
        auto& st = self->state;
        if (st.failure || st.closing) return closed_error(st);
        if (auto valid = validate_append(st.position, state, entries); !valid)
          return to_caf(valid.error());
        accept_append(st.position, state, entries);
        if (!entries.empty()) st.highest_index = std::max(st.highest_index, entries.back().index);
        storage_state::batch b;
        b.seq = st.next_seq++;
        b.promise = self->make_response_promise<std::uint64_t>();
        b.codec = st.codec;  // the rotation barrier: the key in force at acceptance
        for (const auto& e : entries) b.bytes += e.data.size() + 32;
        b.state = std::move(state);
        b.entries = std::move(entries);
        auto promise = b.promise;
        st.waiting.push_back(std::move(b));
        pump(self);
        return promise;
      },
      [self](snapshot_atom, snapshot& snap) -> caf::result<std::uint64_t> {
        auto& st = self->state;
        if (st.failure || st.closing) return closed_error(st);
        accepted_position pending = st.position;
        for (const auto& job : st.snapshots)
          pending.snapshot_index = std::max(pending.snapshot_index, job.snap.metadata.index);
        if (auto valid = validate_snapshot(pending, snap); !valid) return to_caf(valid.error());
        auto promise = self->make_response_promise<std::uint64_t>();
        st.snapshots.push_back({std::move(snap), promise});
        if (st.snapshots.size() == 1) run_snapshot_jobs(self);
        return promise;
      },
      [self](release_atom, std::uint64_t index) -> caf::result<bool> {
        auto& st = self->state;
        if (st.failure) return closed_error(st);
        if (index > st.position.snapshot_index) {
          // The entries after the newest durable snapshot exist nowhere else.
          return to_caf(error(errc::invalid_argument,
                              "release up to index " + std::to_string(index) +
                                  " refused: the newest durable snapshot is at index " +
                                  std::to_string(st.position.snapshot_index) +
                                  " (nothing deleted)"));
        }
        auto promise = self->make_response_promise<bool>();
        ++st.answers_pending;
        release_segments(self, index, [self, promise](const caf::error* err) mutable {
          --self->state.answers_pending;
          if (err) {
            promise.deliver(*err);
          } else {
            promise.deliver(true);
          }
          maybe_close(self);
        });
        return promise;
      },
      [self](rotate_dek_atom) -> caf::result<rotation_report> {
        auto& st = self->state;
        if (st.failure || st.closing) return closed_error(st);
        return self->delegate(st.rotator, rotate_dek_atom::value);
      },
      [self](rotate_kek_atom, std::string& key, std::uint64_t version) -> caf::result<bool> {
        return self->delegate(self->state.rotator, rotate_kek_atom::value, std::move(key), version);
      },
      [self](autolock_atom, bool on) -> caf::result<std::string> {
        return self->delegate(self->state.rotator, autolock_atom::value, on);
      },
      [self](provider_atom, snapshot_provider_actor provider) {
        self->send(self->state.rotator, provider_atom::value, std::move(provider));
      },
      [self](status_atom) -> caf::result<storage_status> {
        auto& st = self->state;
        // Closed (or closing: the WAL writer may have closed already and this actor quit on its
        // answer before the helpers answered this request). After a fail-stop, status still works.
        if (st.failure && st.failure->code() == errc::closed) return closed_error(st);
        auto promise = self->make_response_promise<storage_status>();
        storage_status out;
        out.sealing_generation = st.codec->sealing_generation();
        out.key_generations = st.codec->opening_generations();
        out.first_index = st.position.snapshot_index + 1;
        out.last_index = st.position.last_index;
        out.snapshot_index = st.position.snapshot_index;
        out.state = st.position.state;
        out.bytes_in_flight = st.inflight_bytes;
        out.half_groups = st.groups.halves();
        out.group_disk_us = st.groups.disk_us();
        out.group_appends_in_cycle = st.groups.appends_in_cycle();
        out.group_round_trip_us = st.groups.round_trip_us();
        for (const auto& b : st.waiting) out.bytes_in_flight += b.bytes;
        if (st.failure) out.failure = st.failure->describe();
        ++st.answers_pending;
        auto answer = [self, promise](auto&& reply) mutable {
          --self->state.answers_pending;
          promise.deliver(std::forward<decltype(reply)>(reply));
          maybe_close(self);
        };
        self->request(st.wal, caf::infinite, status_atom::value)
            .then(
                [self, answer, out](wal_writer_status& wal) mutable {
                  out.segments = wal.segments.size();
                  out.fsync_groups = wal.groups;
                  out.durable_appends = wal.appends;
                  out.wal_handovers = wal.requests;
                  out.group_lingers = wal.lingers;
                  out.idle_zeroings = wal.idle_zeroings;
                  out.wal_direct_io = wal.direct_io;
                  out.sync_us = std::move(wal.sync_us);
                  self->request(self->state.rotator, caf::infinite, status_atom::value)
                      .then(
                          [answer, out](rotator_status& keys) mutable {
                            out.rotation_state = keys.state;
                            out.kek_version = keys.kek_version;
                            out.locked = keys.locked;
                            answer(out);
                          },
                          [answer](caf::error& err) mutable { answer(err); });
                },
                [answer](caf::error& err) mutable { answer(err); });
        return promise;
      },
      [self](switch_atom, raftlog::held_key key) -> caf::result<barrier_report> {
        auto& st = self->state;
        if (st.failure) return closed_error(st);
        auto switched = st.codec->with_sealing_key(std::move(key));
        if (!switched) return to_caf(switched.error());
        st.codec = *switched;
        storage_state::barrier b;
        b.seq = st.next_seq - 1;
        b.report.last_old = std::max(st.position.last_index, st.highest_index);
        b.report.snapshot_index = st.position.snapshot_index;
        for (const auto& job : st.snapshots)
          b.report.snapshot_index = std::max(b.report.snapshot_index, job.snap.metadata.index);
        b.promise = self->make_response_promise<barrier_report>();
        auto promise = b.promise;
        st.barriers.push_back(std::move(b));
        release_barriers(self);
        return promise;
      },
      [self](retire_atom, std::uint32_t retired) -> caf::result<std::uint64_t> {
        auto& st = self->state;
        if (st.failure) return closed_error(st);
        auto without = st.codec->without_key(retired);
        if (!without) return to_caf(without.error());
        st.codec = *without;
        // The newest durable snapshot (this actor records every one): older files may go.
        const snapshot_marker keep{st.position.snapshot_index, 0};
        auto promise = self->make_response_promise<std::uint64_t>();
        self->request(st.snaps, caf::infinite, purge_atom::value, retired, keep)
            .then([promise](std::uint64_t deleted) mutable { promise.deliver(deleted); },
                  [promise](caf::error& err) mutable { promise.deliver(err); });
        return promise;
      },
      [self](handover_atom) { hand_over(self); },
      [self](close_atom) -> caf::result<bool> {
        auto& st = self->state;
        if (st.failure && st.failure->code() == errc::closed) return true;
        if (st.failure) return to_caf(*st.failure);
        if (st.closing) return closed_error(st);
        st.closing = self->make_response_promise<bool>();
        auto promise = *st.closing;
        maybe_close(self);
        return promise;
      },
  };
}

}  // namespace raftvault::actors
