#include "actors/wal_writer.h"

#include <algorithm>
#include <chrono>
#include <functional>
#include <iterator>

namespace raftvault::actors {
namespace {

constexpr std::size_t kSyncSamples = 4096;

using wal_writer_pointer = wal_writer_actor::stateful_pointer<wal_writer_state>;

void record_sync(wal_writer_state& st, std::chrono::steady_clock::duration took) {
  auto us = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(took).count());
  st.sync_ewma_us = st.sync_ewma_us == 0 ? static_cast<double>(us)
                                         : 0.9 * st.sync_ewma_us + 0.1 * static_cast<double>(us);
  if (st.sync_us.size() < kSyncSamples) {
    st.sync_us.push_back(us);
  } else {
    st.sync_us[st.sync_next] = us;
    st.sync_next = (st.sync_next + 1) % kSyncSamples;
  }
}

// One write for the whole group: contiguous runs of entries are concatenated (one encode, one
// pwrite) and only the group's newest hard state is written, after its entries — replay keeps
// the last hard state only, and all of them become durable with the same fdatasync. A run
// breaks where an append rewrites a suffix (its first index goes back).
status write_group(raftlog::wal& wal, std::vector<wal_writer_state::pending_append>& group) {
  if (group.size() == 1) return wal.append(group.front().state, group.front().entries);
  std::vector<entry> run;
  hard_state newest;
  for (auto& item : group) {
    if (!item.state.empty()) newest = item.state;
    if (item.entries.empty()) continue;
    if (!run.empty() && item.entries.front().index != run.back().index + 1) {
      RV_TRY(wal.append({}, run));
      run.clear();
    }
    if (run.empty()) {
      run = std::move(item.entries);
    } else {
      run.insert(run.end(), std::make_move_iterator(item.entries.begin()),
                 std::make_move_iterator(item.entries.end()));
    }
  }
  return wal.append(newest, run);
}

// Writes the gathered group with one fdatasync. On any failure the whole group fails: none of
// it was acknowledged, and a WAL whose write or sync failed cannot vouch for any of it.
// `instead_of_sync` (snapshot records) writes more records and syncs them together with the
// group; it runs even when the group is empty.
void flush_group(wal_writer_pointer self,
                 const std::function<status(raftlog::wal&)>& instead_of_sync = nullptr) {
  auto& st = self->state;
  ++st.generation;  // a flush still queued for this group is stale now
  st.flush_scheduled = false;
  st.lingering = false;
  auto group = std::move(st.group);
  st.group.clear();
  if (group.empty() && !instead_of_sync) return;
  if (!st.failure) {
    auto& wal = st.log->log();
    status written = group.empty() ? status{} : write_group(wal, group);
    if (written && instead_of_sync) {
      written = instead_of_sync(wal);
    } else if (written) {
      auto start = std::chrono::steady_clock::now();
      written = wal.sync();
      record_sync(st, std::chrono::steady_clock::now() - start);
    }
    if (!written) st.failure = written.error().with_context("wal writer stopped (fail-stop)");
  }
  if (st.failure) {
    for (auto& item : group) item.promise.deliver(to_caf(*st.failure));
    return;
  }
  if (group.empty()) return;
  ++st.groups;
  st.appends += group.size();
  const auto last = st.log->log().last_index();
  for (auto& item : group) item.promise.deliver(last);
  // Closed-loop requesters answered now will append again; those that arrived during the
  // fdatasync are in the mailbox already, ahead of the marker sent now, which counts them.
  st.expected_group = group.size();
  if (st.max_linger.count() > 0) {
    ++st.markers_pending;
    self->send(self, flush_atom::value);
  }
}

// How long a short group may wait for the rest of the expected one: a fraction of an
// fdatasync, so waiting can cost at most that and saves a whole fdatasync when it fills.
std::chrono::microseconds linger_for(const wal_writer_state& st) {
  const auto half_sync = std::chrono::microseconds(static_cast<std::int64_t>(st.sync_ewma_us / 2));
  return std::min(st.max_linger, half_sync);
}

// The gathered group (not empty, no flush pending yet) flushes behind the appends already in
// the mailbox, or, when smaller than expected, lingers for the rest.
void schedule_flush(wal_writer_pointer self) {
  auto& st = self->state;
  st.flush_scheduled = true;
  const auto linger = linger_for(st);
  if (st.group.size() >= st.expected_group || linger.count() <= 0) {
    self->send(self, flush_atom::value, st.generation);
    return;
  }
  st.lingering = true;
  self->delayed_send(self, linger, flush_atom::value, st.generation);
}

}  // namespace

const char* wal_writer_state::name = "raftvault.wal_writer";

// Runs when the actor terminates: CAF drops undelivered promises silently, so answer everyone.
wal_writer_state::~wal_writer_state() {
  auto err = to_caf(raftvault::error(errc::closed, "wal writer stopped"));
  for (auto& item : group) item.promise.deliver(err);
}

wal_writer_actor::behavior_type wal_writer(wal_writer_pointer self,
                                           std::shared_ptr<raftlog::encrypted_log> log,
                                           std::chrono::microseconds max_linger) {
  self->state.log = std::move(log);
  self->state.max_linger = max_linger;
  return {
      [self](append_atom, hard_state& state,
             std::vector<entry>& entries) -> caf::result<std::uint64_t> {
        auto& st = self->state;
        if (st.failure) return to_caf(*st.failure);
        auto promise = self->make_response_promise<std::uint64_t>();
        st.group.push_back({promise, std::move(state), std::move(entries)});
        if (st.markers_pending > 0) return promise;  // arrived during the fdatasync
        if (!st.flush_scheduled) {
          schedule_flush(self);
        } else if (st.lingering && st.group.size() == st.expected_group) {
          self->send(self, flush_atom::value, st.generation);  // the group is complete
        }
        return promise;
      },
      [self](flush_atom) {
        // The backlog marker: every append before it arrived during the last fdatasync.
        auto& st = self->state;
        if (--st.markers_pending > 0) return;  // a newer flush sent another one
        st.expected_group += st.group.size();
        if (!st.group.empty() && !st.flush_scheduled) schedule_flush(self);
      },
      [self](flush_atom, std::uint64_t generation) {
        if (generation == self->state.generation) flush_group(self);  // else: flushed already
      },
      [self](snap_rec_atom, snapshot_marker marker, hard_state state) -> caf::result<bool> {
        auto& st = self->state;
        // Appends accepted earlier stay earlier in the log; save_snapshot's fdatasync makes
        // them durable together with the snapshot record (one fdatasync fewer mid-rotation).
        flush_group(self, [&](raftlog::wal& wal) {
          status written = wal.save_snapshot(marker);
          if (written && !state.empty()) written = wal.save(state, {});
          // save() skips the fdatasync of a commit-only change (raft's MustSync), but etcd's
          // restart ignores a snapshot record beyond the durable commit: sync before replying.
          if (written) written = wal.sync();
          return written;
        });
        if (st.failure) return to_caf(*st.failure);
        return true;
      },
      [self](release_atom, std::uint64_t index) -> caf::result<bool> {
        auto& st = self->state;
        if (st.failure) return to_caf(*st.failure);
        if (auto released = st.log->log().release_to(index); !released) return to_caf(released.error());
        return true;
      },
      [self](status_atom) {
        auto& st = self->state;
        wal_writer_status out;
        out.last_index = st.log->log().last_index();
        out.groups = st.groups;
        out.appends = st.appends;
        out.segments = st.log->log().segments();
        out.sync_us = st.sync_us;
        return out;
      },
      [self](close_atom) -> caf::result<bool> {
        auto& st = self->state;
        flush_group(self);
        if (!st.failure) st.failure = raftvault::error(errc::closed, "the store is closed");
        if (auto closed = st.log->close(); !closed) return to_caf(closed.error());
        return true;
      },
  };
}

}  // namespace raftvault::actors
