#include "actors/wal_writer.h"

#include <algorithm>
#include <chrono>
#include <functional>
#include <iterator>
#include <utility>

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

// Entries to append in one call, with their data CRCs when every one of them has one.
struct entry_run {
  std::vector<entry> entries;
  std::vector<std::uint32_t> data_crcs;
  bool with_crcs = true;

  void take(wal_append& item) {
    const bool has_crcs = item.data_crcs.size() == item.entries.size();
    if (entries.empty()) with_crcs = has_crcs;
    with_crcs = with_crcs && has_crcs;
    if (with_crcs) {
      data_crcs.insert(data_crcs.end(), item.data_crcs.begin(), item.data_crcs.end());
    } else {
      data_crcs.clear();
    }
    if (entries.empty()) {
      entries = std::move(item.entries);
    } else {
      entries.insert(entries.end(), std::make_move_iterator(item.entries.begin()),
                     std::make_move_iterator(item.entries.end()));
    }
  }
  status append_to(raftlog::wal& wal, const hard_state& state) const {
    if (with_crcs && !entries.empty()) return wal.append(state, entries, data_crcs);
    return wal.append(state, entries);
  }
  void clear() {
    entries.clear();
    data_crcs.clear();
    with_crcs = true;
  }
};

// One write for the whole group: contiguous runs of entries are concatenated (one encode, one
// pwrite) and only the group's newest hard state is written, after its entries — replay keeps
// the last hard state only, and all of them become durable with the same fdatasync. A run
// breaks where an append rewrites a suffix (its first index goes back).
status write_group(raftlog::wal& wal, std::vector<wal_writer_state::pending_request>& group) {
  entry_run run;
  hard_state newest;
  for (auto& request : group) {
    for (auto& item : request.appends) {
      if (!item.state.empty()) newest = item.state;
      if (item.entries.empty()) continue;
      if (!run.entries.empty() && item.entries.front().index != run.entries.back().index + 1) {
        RV_TRY(run.append_to(wal, {}));
        run.clear();
      }
      run.take(item);
    }
  }
  return run.append_to(wal, newest);
}

// The entry bytes of a request's appends.
std::uint64_t entry_bytes(const std::vector<wal_append>& appends) {
  std::uint64_t bytes = 0;
  for (const auto& item : appends)
    for (const auto& e : item.entries) bytes += e.data.size();
  return bytes;
}

// The entry bytes after which a group syncs (0: no cap); see "Group size" in wal_writer.h.
std::uint64_t group_cap(const wal_writer_state& st) {
  if (st.group_bytes == 0) return 0;
  return std::max(st.group_bytes, st.inflight / 2);
}

// Half groups: a group holding append_cap appends syncs.
bool appends_full(const wal_writer_state& st, std::size_t appends) {
  return st.append_cap > 0 && appends >= st.append_cap;
}

// Writes what the group gathered (one write) and keeps the requesters in `written` until the
// group's fdatasync; their entries are not needed any more. A failed write makes the writer
// fail-stop (sync_group then fails the whole group). Unless `whole`, appends past the group cap
// stay gathered for the next group.
void write_gathered(wal_writer_state& st, bool whole) {
  if (st.group.empty()) return;
  std::vector<wal_writer_state::pending_request> gathered;
  const auto cap = group_cap(st);
  if (whole || (cap == 0 && st.append_cap == 0)) {
    gathered = std::move(st.group);
    st.group.clear();
  } else {
    std::uint64_t bytes = st.written_bytes;
    std::size_t appends = st.written_appends;
    std::size_t taken = 0;
    while (taken < st.group.size() && (cap == 0 || bytes < cap) && !appends_full(st, appends)) {
      appends += st.group[taken].appends.size();
      bytes += st.group[taken++].bytes;
    }
    gathered.assign(std::make_move_iterator(st.group.begin()),
                    std::make_move_iterator(st.group.begin() + static_cast<std::ptrdiff_t>(taken)));
    st.group.erase(st.group.begin(), st.group.begin() + static_cast<std::ptrdiff_t>(taken));
    if (gathered.empty()) return;
  }
  if (!st.failure) {
    const auto start = std::chrono::steady_clock::now();
    if (auto written = write_group(st.log->log(), gathered); !written)
      st.failure = written.error().with_context("wal writer stopped (fail-stop)");
    st.group_busy += std::chrono::steady_clock::now() - start;
  }
  for (auto& request : gathered) {
    st.written_bytes += request.bytes;
    st.gathered_appends -= request.appends.size();
    st.written_appends += request.appends.size();
    request.appends.clear();  // the entries are on disk now; only the count is kept
    request.appends.shrink_to_fit();
    st.written.push_back(std::move(request));
  }
}

void flush_now(wal_writer_pointer self);

// Zeros ahead while idle (wal_writer.h), right after a group was answered. A failed write makes
// the writer fail-stop, as any failed WAL write does.
void zero_ahead_while_idle(wal_writer_state& st, std::uint64_t group_bytes) {
  if (st.failure) return;
  auto& wal = st.log->log();
  const auto bytes = idle_zero_bytes({st.append_cap > 0, wal.writes_direct(), st.idle_ewma_us,
                                      st.sync_ewma_us, group_bytes, wal.zeroed_ahead()});
  if (bytes == 0) return;
  auto zeroed = wal.zero_ahead(bytes);
  if (!zeroed) {
    st.failure = zeroed.error().with_context("wal writer stopped (fail-stop)");
    return;
  }
  if (*zeroed > 0) ++st.idle_zeroings;
}

// Writes what is still gathered (up to the group cap, unless `whole`) and makes the whole group
// durable with one fdatasync. On any failure the whole group fails: none of it was
// acknowledged, and a WAL whose write or sync failed cannot vouch for any of it.
// `instead_of_sync` (snapshot records) writes more records and syncs them together with the
// group, everything gathered included; it runs even when the group is empty.
void sync_written(wal_writer_pointer self, bool whole,
                  const std::function<status(raftlog::wal&)>& instead_of_sync) {
  auto& st = self->state;
  write_gathered(st, whole || instead_of_sync != nullptr);
  ++st.flush_id;  // a flush still on its way is stale now
  st.flush_pending = false;
  st.lingering = false;
  st.waited_for_behind = false;
  auto group = std::move(st.written);
  const auto appends = st.written_appends;
  const auto group_bytes = st.written_bytes;
  st.written.clear();
  st.written_bytes = 0;
  st.written_appends = 0;
  if (group.empty() && !instead_of_sync) return;
  auto busy = std::exchange(st.group_busy, {});  // the group's writes; its sync is added below
  std::chrono::steady_clock::duration idle{};
  if (!st.failure) {
    auto& wal = st.log->log();
    status synced;
    const auto start = std::chrono::steady_clock::now();
    if (instead_of_sync) {
      synced = instead_of_sync(wal);
    } else {
      synced = wal.sync();
      record_sync(st, std::chrono::steady_clock::now() - start);
    }
    const auto end = std::chrono::steady_clock::now();
    busy += end - start;
    if (st.last_sync_end) idle = std::max(end - *st.last_sync_end - busy, idle);
    const auto idle_us = static_cast<double>(
        std::chrono::duration_cast<std::chrono::microseconds>(idle).count());
    st.idle_ewma_us = st.idle_ewma_us == 0 ? idle_us : 0.9 * st.idle_ewma_us + 0.1 * idle_us;
    st.last_sync_end = end;
    if (!synced) st.failure = synced.error().with_context("wal writer stopped (fail-stop)");
  }
  if (st.failure) {
    for (auto& item : group) item.promise.deliver(to_caf(*st.failure));
    return;
  }
  if (group.empty()) return;
  ++st.groups;
  st.appends += appends;
  // Closed-loop requesters answered now will append again; those that arrived during the
  // fdatasync are in the mailbox already, ahead of the marker sent now, which counts them.
  // The marker goes before the replies: a reply can wake a thread that preempts this one, and
  // an append it triggers must not overtake the marker (it would be counted twice, and a lone
  // producer would then linger for a second append that never comes).
  st.expected_group = appends;
  if (st.max_linger.count() > 0) {
    ++st.markers_pending;
    self->send(self, flush_atom::value);
  }
  const auto micros = [](std::chrono::steady_clock::duration d) {
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(d).count());
  };
  const wal_ack ack{st.log->log().last_index(), micros(busy), micros(idle)};
  for (auto& item : group) item.promise.deliver(ack);
  zero_ahead_while_idle(st, group_bytes);
}

void sync_group(wal_writer_pointer self,
                const std::function<status(raftlog::wal&)>& instead_of_sync = nullptr,
                bool whole = false) {
  sync_written(self, whole, instead_of_sync);
  // Appends left gathered by the group cap start the next group (after the backlog marker, when
  // one was sent: it schedules their flush).
  auto& st = self->state;
  if (!st.group.empty() && st.markers_pending == 0 && !st.flush_pending) flush_now(self);
}

// The WAL record of a durable snapshot and the hard state covering it (etcd's restart ignores
// a snapshot record beyond the durable commit), both durable on return.
// When the log holds the snapshot's index (a local snapshot, and always the forced one of a
// DEK rotation) the hard state goes first and save_snapshot's one fdatasync covers both: any
// prefix a crash leaves is consistent (the state alone commits only entries written before it,
// and the record is never durable without the state). Otherwise (a snapshot beyond the log,
// e.g. installed from a leader) the record must precede the commit that refers to it: record,
// fdatasync, state, fdatasync — save() skips the fdatasync of a commit-only change (raft's
// MustSync), so the second one is explicit.
status write_snapshot_record(raftlog::wal& wal, snapshot_marker marker, const hard_state& state) {
  if (state.empty()) return wal.save_snapshot(marker);
  if (marker.index <= wal.last_index()) {
    RV_TRY(wal.save(state, {}));
    return wal.save_snapshot(marker);
  }
  RV_TRY(wal.save_snapshot(marker));
  RV_TRY(wal.save(state, {}));
  return wal.sync();
}

// How long a short group may wait for the rest of the expected one, or a written group for
// an announced batch: a fraction of an fdatasync, so waiting can cost at most that and saves
// a whole fdatasync when it pays off.
std::chrono::microseconds linger_for(const wal_writer_state& st) {
  if (st.append_cap > 0) return std::chrono::microseconds(0);  // half groups never wait
  const auto half_sync = std::chrono::microseconds(static_cast<std::int64_t>(st.sync_ewma_us / 2));
  return std::min(st.max_linger, half_sync);
}

void flush_now(wal_writer_pointer self) {
  auto& st = self->state;
  st.flush_pending = true;
  st.lingering = false;
  self->send(self, flush_atom::value, ++st.flush_id);
}

void flush_later(wal_writer_pointer self, std::chrono::microseconds linger) {
  auto& st = self->state;
  st.flush_pending = true;
  st.lingering = true;
  ++st.lingers;
  self->delayed_send(self, linger, flush_atom::value, ++st.flush_id);
}

// Appends are waiting and no flush is on its way: flush behind the appends already in the
// mailbox, or, when a first write would be short of the expected group, linger for the rest.
void schedule_flush(wal_writer_pointer self) {
  auto& st = self->state;
  const auto linger = linger_for(st);
  std::uint64_t gathered = 0;
  for (const auto& request : st.group) gathered += request.bytes;
  const bool full = (group_cap(st) > 0 && gathered >= group_cap(st)) ||
                    appends_full(st, st.gathered_appends);
  if (full || st.gathered_appends >= st.expected_group || linger.count() <= 0 || st.behind > 0 ||
      !st.written.empty()) {
    flush_now(self);
  } else {
    flush_later(self, linger);
  }
}

// Flush: write what was gathered and look again (appends that arrived during the write are
// queued ahead of the flush sent now), unless the group is full (group_cap). With nothing
// new, sync the group, unless a batch was announced behind the newest one: then linger once
// for it.
void flush(wal_writer_pointer self) {
  auto& st = self->state;
  st.flush_pending = false;
  st.lingering = false;
  if (!st.group.empty() && !st.failure) {
    write_gathered(st, false);
    st.waited_for_behind = false;
    const bool full = (group_cap(st) > 0 && st.written_bytes >= group_cap(st)) ||
                      appends_full(st, st.written_appends);
    if (!st.failure && !full) return flush_now(self);
    return sync_group(self);  // full: no more gathering, no linger for batches behind
  }
  if (st.behind > 0 && !st.written.empty() && !st.waited_for_behind && !st.failure) {
    const auto linger = linger_for(st);
    if (linger.count() > 0) {
      st.waited_for_behind = true;
      return flush_later(self, linger);
    }
  }
  sync_group(self);
}

}  // namespace

std::uint64_t idle_zero_bytes(const idle_zeroing_inputs& in) {
  if (in.half_groups || !in.direct || in.sync_ewma_us <= 0) return 0;
  if (in.idle_ewma_us < kIdleZeroIdleVsSync * in.sync_ewma_us) return 0;
  if (in.group_bytes >= kIdleZeroBytes || in.zeroed_ahead >= kIdleZeroBytes) return 0;
  return kIdleZeroBytes;
}

const char* wal_writer_state::name = "raftvault.wal_writer";

// Runs when the actor terminates: CAF drops undelivered promises silently, so answer everyone.
wal_writer_state::~wal_writer_state() {
  auto err = to_caf(raftvault::error(errc::closed, "wal writer stopped"));
  for (auto& item : written) item.promise.deliver(err);
  for (auto& item : group) item.promise.deliver(err);
}

wal_writer_actor::behavior_type wal_writer(wal_writer_pointer self,
                                           std::shared_ptr<raftlog::encrypted_log> log,
                                           std::chrono::microseconds max_linger,
                                           std::uint64_t group_bytes) {
  self->state.log = std::move(log);
  self->state.max_linger = max_linger;
  self->state.group_bytes = group_bytes;
  return {
      [self](append_atom, std::vector<wal_append>& appends, std::uint64_t behind,
             std::uint64_t inflight, std::uint64_t append_cap) -> caf::result<wal_ack> {
        auto& st = self->state;
        if (st.failure) return to_caf(*st.failure);
        auto promise = self->make_response_promise<wal_ack>();
        ++st.requests;
        st.gathered_appends += appends.size();
        const auto bytes = entry_bytes(appends);
        st.group.push_back({promise, std::move(appends), bytes});
        st.behind = behind;
        st.inflight = inflight;
        st.append_cap = append_cap;
        if (st.markers_pending > 0) return promise;  // arrived during the fdatasync
        if (!st.flush_pending) {
          schedule_flush(self);
        } else if (st.lingering && (st.gathered_appends >= st.expected_group || behind > 0 ||
                                    !st.written.empty())) {
          flush_now(self);  // no reason to wait any longer
        }
        return promise;
      },
      [self](flush_atom) {
        // The backlog marker: every append before it arrived during the last fdatasync.
        auto& st = self->state;
        if (--st.markers_pending > 0) return;  // a newer fdatasync sent another one
        st.expected_group += st.gathered_appends;
        if (!st.group.empty() && !st.flush_pending) schedule_flush(self);
      },
      [self](flush_atom, std::uint64_t id) {
        if (id == self->state.flush_id) flush(self);  // else: stale
      },
      [self](sync_atom) {
        auto& st = self->state;
        st.behind = 0;
        if (!st.flush_pending || st.lingering) sync_group(self);  // else that flush syncs
      },
      [self](snap_rec_atom, snapshot_marker marker, hard_state state) -> caf::result<bool> {
        auto& st = self->state;
        // Appends accepted earlier stay earlier in the log; the snapshot record's fdatasync
        // makes them durable too (no fdatasync of their own mid-rotation).
        sync_group(self, [&](raftlog::wal& wal) { return write_snapshot_record(wal, marker, state); });
        if (st.failure) return to_caf(*st.failure);
        return true;
      },
      [self](release_atom, std::uint64_t index) -> caf::result<std::vector<std::string>> {
        auto& st = self->state;
        if (st.failure) return to_caf(*st.failure);
        auto detached = st.log->log().detach_released(index);
        if (!detached) return to_caf(detached.error());
        return std::move(*detached);
      },
      [self](status_atom) {
        auto& st = self->state;
        wal_writer_status out;
        out.last_index = st.log->log().last_index();
        out.groups = st.groups;
        out.appends = st.appends;
        out.requests = st.requests;
        out.lingers = st.lingers;
        out.idle_zeroings = st.idle_zeroings;
        out.direct_io = st.log->log().writes_direct();
        out.segments = st.log->log().segments();
        out.sync_us = st.sync_us;
        return out;
      },
      [self](close_atom) -> caf::result<bool> {
        auto& st = self->state;
        sync_group(self, nullptr, true);
        if (!st.failure) st.failure = raftvault::error(errc::closed, "the store is closed");
        if (auto closed = st.log->close(); !closed) return to_caf(closed.error());
        return true;
      },
  };
}

}  // namespace raftvault::actors
