#include "actors/wal_writer.h"

#include <algorithm>
#include <deque>
#include <iterator>
#include <optional>
#include <utility>

#include <caf/stateful_actor.hpp>

#include "codec/error.h"

namespace raftvault::actors {
namespace {

// The mechanism's state: the requests in the policy's group, the disk-time bookkeeping, the
// sticky failure and the counters of wal_writer_status.
struct wal_writer_state {
  using clock = std::chrono::steady_clock;
  // One append request: answered once all its appends are durable.
  struct pending_request {
    caf::typed_response_promise<wal_ack> promise;
    std::vector<wal_append> appends;  // emptied once written
    std::size_t append_count = 0;
  };
  std::unique_ptr<raftlog::wal> wal;  // this actor's alone (spawn_wal_writer)
  std::function<clock::time_point()> now;
  std::optional<group_commit_policy> policy;
  std::deque<pending_request> gathered;  // not written yet, oldest first
  std::vector<pending_request> written;  // written, waiting for the group's fdatasync
  clock::duration group_busy{};          // this group's writes (and then its sync)
  std::optional<clock::time_point> last_sync_end;  // of any group or record
  std::optional<raftvault::error> failure;         // sticky: set once, never cleared
  std::uint64_t groups = 0;
  std::uint64_t appends = 0;
  std::uint64_t requests = 0;
  std::uint64_t lingers = 0;
  std::uint64_t idle_zeroings = 0;
  std::vector<std::uint64_t> sync_us;
  std::size_t sync_next = 0;
  ~wal_writer_state();
  static const char* name;
};

const char* wal_writer_state::name = "raftvault.wal_writer";

// Runs when the actor terminates: CAF drops undelivered promises silently, so answer everyone.
wal_writer_state::~wal_writer_state() {
  auto err = to_caf(raftvault::error(errc::closed, "wal writer stopped"));
  for (auto& item : written) item.promise.deliver(err);
  for (auto& item : gathered) item.promise.deliver(err);
}

constexpr std::size_t kSyncSamples = 4096;

using wal_writer_pointer = wal_writer_actor::stateful_pointer<wal_writer_state>;

std::uint64_t micros(std::chrono::steady_clock::duration d) {
  using std::chrono::microseconds;
  return static_cast<std::uint64_t>(std::chrono::duration_cast<microseconds>(d).count());
}

void record_sync(wal_writer_state& st, std::uint64_t us) {
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

// One write for `requests`: contiguous runs of entries are concatenated (one encode, one
// pwrite) and only the newest hard state is written, after its entries — replay keeps the last
// hard state only, and all of them become durable with the group's fdatasync. A run breaks
// where an append rewrites a suffix (its first index goes back).
template <class Requests>
status write_requests(raftlog::wal& wal, Requests& requests, std::size_t count) {
  entry_run run;
  hard_state newest;
  for (std::size_t i = 0; i < count; ++i) {
    for (auto& item : requests[i].appends) {
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

// Fail-stop: every requester waiting gets the sticky error, now and from now on.
void fail_stop(wal_writer_state& st, const raftvault::error& err) {
  if (!st.failure) st.failure = err.with_context("wal writer stopped (fail-stop)");
  const auto reply = to_caf(*st.failure);
  for (auto& item : st.written) item.promise.deliver(reply);
  for (auto& item : st.gathered) item.promise.deliver(reply);
  st.written.clear();
  st.gathered.clear();
}

// Writes the `count` oldest gathered requests (one write) and keeps their requesters in
// `written` until the group's fdatasync; their entries are not needed any more.
void write_gathered(wal_writer_state& st, std::size_t count) {
  if (count == 0 || st.failure) return;
  const auto start = st.now();
  const auto wrote = write_requests(*st.wal, st.gathered, count);
  st.group_busy += st.now() - start;
  for (std::size_t i = 0; i < count; ++i) {
    auto request = std::move(st.gathered.front());
    st.gathered.pop_front();
    request.appends.clear();  // the entries are on disk now; only the count is kept
    request.appends.shrink_to_fit();
    st.written.push_back(std::move(request));
  }
  if (!wrote) fail_stop(st, wrote.error());
}

void carry_out(wal_writer_pointer self, const commit_step& step);

// Zeros ahead while idle (group_commit_policy.h), right after a group was answered. A failed
// write makes the writer fail-stop, as any failed WAL write does.
void zero_ahead(wal_writer_state& st, std::uint64_t bytes) {
  if (bytes == 0 || st.failure) return;
  auto zeroed = st.wal->zero_ahead(bytes);
  if (!zeroed) return fail_stop(st, zeroed.error());
  if (*zeroed > 0) ++st.idle_zeroings;
}

// Makes the group durable with one fdatasync, after writing what the policy adds to it (all
// that is gathered when `whole`). `record` (a snapshot record) is written and synced together
// with the group instead of a bare fdatasync; it runs even when the group is empty. On any
// failure the whole group fails: none of it was acknowledged, and a WAL whose write or sync
// failed cannot vouch for any of it.
void sync_group(wal_writer_pointer self, bool whole = false,
                const std::function<status(raftlog::wal&)>& record = nullptr) {
  auto& st = self->state;
  if (st.failure) return;
  write_gathered(st, st.policy->sync_begins(whole || record != nullptr));
  if (st.failure) return;
  auto& wal = *st.wal;
  sync_report report;
  report.ran = !st.written.empty() || record != nullptr;
  report.record = record != nullptr;
  auto busy = std::exchange(st.group_busy, {});  // the group's writes; its sync is added below
  std::chrono::steady_clock::duration idle{};
  if (report.ran) {
    const auto start = st.now();
    const auto synced = record ? record(wal) : wal.sync();
    const auto end = st.now();
    if (!synced) return fail_stop(st, synced.error());
    report.sync_us = micros(end - start);
    if (!record) record_sync(st, report.sync_us);
    busy += end - start;
    if (st.last_sync_end) idle = std::max(end - *st.last_sync_end - busy, idle);
    st.last_sync_end = end;
    report.idle_us = micros(idle);
  }
  report.direct = wal.writes_direct();
  report.zeroed_ahead = wal.zeroed_ahead();
  auto group = std::move(st.written);
  st.written.clear();
  const auto after = st.policy->synced(report);
  if (!group.empty()) {
    ++st.groups;
    for (const auto& item : group) st.appends += item.append_count;
    if (after.send_marker) self->send(self, backlog_atom::value);
    const wal_ack ack{wal.last_index(), micros(busy), micros(idle)};
    for (auto& item : group) item.promise.deliver(ack);
    zero_ahead(st, after.zero_ahead_bytes);
  }
  if (!st.failure) carry_out(self, after.next);
}

void carry_out(wal_writer_pointer self, const commit_step& step) {
  auto& st = self->state;
  switch (step.what) {
    case commit_step::kind::wait:
      return;
    case commit_step::kind::flush:
      self->send(self, flush_atom::value, step.ticket);
      return;
    case commit_step::kind::linger:
      ++st.lingers;
      self->delayed_send(self, step.delay, flush_atom::value, step.ticket);
      return;
    case commit_step::kind::write:
      write_gathered(st, step.requests);
      if (!st.failure) carry_out(self, st.policy->written(step.requests));
      return;
    case commit_step::kind::sync:
      sync_group(self);
      return;
  }
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

wal_writer_actor::behavior_type wal_writer(wal_writer_pointer self,
                                           std::unique_ptr<raftlog::wal> wal,
                                           wal_writer_options options) {
  auto& st = self->state;
  st.wal = std::move(wal);
  st.now = options.clock;
  if (!st.now) st.now = [] { return std::chrono::steady_clock::now(); };
  st.policy.emplace(options.max_linger, options.group_bytes);
  return {
      [self](append_atom, std::vector<wal_append>& appends,
             const handover_hints& hints) -> caf::result<wal_ack> {
        auto& st = self->state;
        if (st.failure) return to_caf(*st.failure);
        auto promise = self->make_response_promise<wal_ack>();
        ++st.requests;
        const auto count = appends.size();
        const auto bytes = entry_bytes(appends);
        st.gathered.push_back({promise, std::move(appends), count});
        carry_out(self, st.policy->appended(count, bytes, hints));
        return promise;
      },
      [self](backlog_atom) {
        if (!self->state.failure) carry_out(self, self->state.policy->marker());
      },
      [self](flush_atom, std::uint64_t ticket) {
        if (!self->state.failure) carry_out(self, self->state.policy->flush_due(ticket));
      },
      [self](no_behind_atom) {
        if (!self->state.failure) carry_out(self, self->state.policy->behind_cancelled());
      },
      [self](snap_rec_atom, snapshot_marker marker, hard_state state) -> caf::result<bool> {
        auto& st = self->state;
        // Appends accepted earlier stay earlier in the log; the snapshot record's fdatasync
        // makes them durable too (no fdatasync of their own mid-rotation).
        sync_group(self, true,
                   [&](raftlog::wal& wal) { return write_snapshot_record(wal, marker, state); });
        if (st.failure) return to_caf(*st.failure);
        return true;
      },
      [self](release_atom, std::uint64_t index) -> caf::result<std::vector<std::string>> {
        auto& st = self->state;
        if (st.failure) return to_caf(*st.failure);
        auto detached = st.wal->detach_released(index);
        if (!detached) return to_caf(detached.error());
        return std::move(*detached);
      },
      [self](status_atom) {
        auto& st = self->state;
        wal_writer_status out;
        out.last_index = st.wal->last_index();
        out.groups = st.groups;
        out.appends = st.appends;
        out.requests = st.requests;
        out.lingers = st.lingers;
        out.idle_zeroings = st.idle_zeroings;
        out.direct_io = st.wal->writes_direct();
        out.zeroed_ahead = st.wal->zeroed_ahead();
        out.segments = st.wal->segments();
        out.sync_us = st.sync_us;
        return out;
      },
      [self](close_atom) -> caf::result<bool> {
        auto& st = self->state;
        sync_group(self, true);
        if (!st.failure) st.failure = raftvault::error(errc::closed, "the store is closed");
        if (auto closed = st.wal->close(); !closed) return to_caf(closed.error());
        return true;
      },
  };
}

}  // namespace

wal_writer_actor spawn_wal_writer(caf::actor_system& system, std::unique_ptr<raftlog::wal> wal,
                                  wal_writer_options options) {
  return system.spawn(wal_writer, std::move(wal), std::move(options));
}

wal_writer_actor spawn_wal_writer(caf::local_actor* parent, bool detached,
                                  std::unique_ptr<raftlog::wal> wal, wal_writer_options options) {
  if (detached)
    return parent->spawn<caf::linked + caf::detached>(wal_writer, std::move(wal), std::move(options));
  return parent->spawn<caf::linked>(wal_writer, std::move(wal), std::move(options));
}

}  // namespace raftvault::actors
