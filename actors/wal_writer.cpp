#include "actors/wal_writer.h"

#include <chrono>

namespace raftvault::actors {
namespace {

constexpr std::size_t kSyncSamples = 4096;

void record_sync(wal_writer_state& st, std::chrono::steady_clock::duration took) {
  auto us = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(took).count());
  if (st.sync_us.size() < kSyncSamples) {
    st.sync_us.push_back(us);
  } else {
    st.sync_us[st.sync_next] = us;
    st.sync_next = (st.sync_next + 1) % kSyncSamples;
  }
}

// Writes the gathered group with one fdatasync. On any failure the whole group fails: none of
// it was acknowledged, and a WAL whose write or sync failed cannot vouch for any of it.
void flush_group(wal_writer_state& st) {
  auto group = std::move(st.group);
  st.group.clear();
  if (group.empty()) return;
  if (!st.failure) {
    auto& wal = st.log->log();
    status written;
    for (auto& item : group) {
      written = wal.append(item.state, item.entries);
      if (!written) break;
    }
    if (written) {
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
  ++st.groups;
  st.appends += group.size();
  const auto last = st.log->log().last_index();
  for (auto& item : group) item.promise.deliver(last);
}

}  // namespace

const char* wal_writer_state::name = "raftvault.wal_writer";

// Runs when the actor terminates: CAF drops undelivered promises silently, so answer everyone.
wal_writer_state::~wal_writer_state() {
  auto err = to_caf(raftvault::error(errc::closed, "wal writer stopped"));
  for (auto& item : group) item.promise.deliver(err);
}

wal_writer_actor::behavior_type wal_writer(wal_writer_actor::stateful_pointer<wal_writer_state> self,
                                           std::shared_ptr<raftlog::encrypted_log> log) {
  self->state.log = std::move(log);
  return {
      [self](append_atom, hard_state& state,
             std::vector<entry>& entries) -> caf::result<std::uint64_t> {
        auto& st = self->state;
        if (st.failure) return to_caf(*st.failure);
        auto promise = self->make_response_promise<std::uint64_t>();
        st.group.push_back({promise, std::move(state), std::move(entries)});
        // The flush message queues behind every append already in the mailbox: those that
        // arrived during the previous fdatasync all join this group.
        if (!st.flush_scheduled) {
          st.flush_scheduled = true;
          self->send(self, flush_atom::value);
        }
        return promise;
      },
      [self](flush_atom) {
        self->state.flush_scheduled = false;
        flush_group(self->state);
      },
      [self](snap_rec_atom, snapshot_marker marker, hard_state state) -> caf::result<bool> {
        auto& st = self->state;
        flush_group(st);  // appends accepted earlier stay earlier in the log
        if (st.failure) return to_caf(*st.failure);
        auto& wal = st.log->log();
        status written = wal.save_snapshot(marker);
        if (written && !state.empty()) written = wal.save(state, {});
        // save() skips the fdatasync of a commit-only change (raft's MustSync), but etcd's
        // restart ignores a snapshot record beyond the durable commit: sync before replying.
        if (written) written = wal.sync();
        if (!written) {
          st.failure = written.error().with_context("wal writer stopped (fail-stop)");
          return to_caf(*st.failure);
        }
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
        flush_group(st);
        if (!st.failure) st.failure = raftvault::error(errc::closed, "the store is closed");
        if (auto closed = st.log->close(); !closed) return to_caf(closed.error());
        return true;
      },
  };
}

}  // namespace raftvault::actors
