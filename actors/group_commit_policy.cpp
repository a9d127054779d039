#include "actors/group_commit_policy.h"

#include <algorithm>

namespace raftvault::actors {
namespace {

// Moving averages: a new sample weighs a tenth.
double average(double old, double sample) { return old == 0 ? sample : 0.9 * old + 0.1 * sample; }

}  // namespace

std::uint64_t idle_zero_bytes(const idle_zeroing_inputs& in) {
  if (in.half_groups || !in.direct || in.sync_ewma_us <= 0) return 0;
  if (in.idle_ewma_us < kIdleZeroIdleVsSync * in.sync_ewma_us) return 0;
  if (in.group_bytes >= kIdleZeroBytes || in.zeroed_ahead >= kIdleZeroBytes) return 0;
  return kIdleZeroBytes;
}

std::chrono::microseconds group_commit_policy::linger_for() const {
  if (hints_.group_appends > 0) return std::chrono::microseconds(0);  // half groups never wait
  const auto half_sync = std::chrono::microseconds(static_cast<std::int64_t>(sync_ewma_us_ / 2));
  return std::min(max_linger_, half_sync);
}

std::uint64_t group_commit_policy::cap_bytes() const {
  if (group_bytes_ == 0) return 0;
  return std::max(group_bytes_, hints_.inflight_bytes / 2);
}

bool group_commit_policy::appends_full(std::size_t appends) const {
  return hints_.group_appends > 0 && appends >= hints_.group_appends;
}

// The oldest gathered requests that fit the group beside what it has written (whole requests;
// all of them when `whole` or without any cap).
std::size_t group_commit_policy::writable(bool whole) const {
  const auto cap = cap_bytes();
  if (whole || (cap == 0 && hints_.group_appends == 0)) return gathered_.size();
  std::uint64_t bytes = written_bytes_;
  std::size_t appends = written_appends_;
  std::size_t taken = 0;
  while (taken < gathered_.size() && (cap == 0 || bytes < cap) && !appends_full(appends)) {
    appends += gathered_[taken].appends;
    bytes += gathered_[taken++].bytes;
  }
  return taken;
}

void group_commit_policy::take_written(std::size_t requests) {
  for (std::size_t i = 0; i < requests && !gathered_.empty(); ++i) {
    const auto request = gathered_.front();
    gathered_.pop_front();
    gathered_appends_ -= request.appends;
    gathered_bytes_ -= request.bytes;
    ++written_requests_;
    written_appends_ += request.appends;
    written_bytes_ += request.bytes;
  }
}

commit_step group_commit_policy::flush_now() {
  phase_ = written_requests_ > 0 ? phase::written : phase::gathering;
  return {commit_step::kind::flush, ++ticket_, {}, 0};
}

commit_step group_commit_policy::linger(std::chrono::microseconds delay) {
  phase_ = phase::lingering;
  return {commit_step::kind::linger, ++ticket_, delay, 0};
}

// Appends are waiting and no flush is on its way: flush behind the appends already in the
// mailbox or, when a first write would be short of the expected group, linger for the rest.
commit_step group_commit_policy::schedule() {
  const auto linger_time = linger_for();
  const auto cap = cap_bytes();
  const bool full = (cap > 0 && gathered_bytes_ >= cap) || appends_full(gathered_appends_);
  if (full || gathered_appends_ >= expected_group_ || linger_time.count() <= 0 ||
      hints_.behind > 0 || written_requests_ > 0)
    return flush_now();
  return linger(linger_time);
}

commit_step group_commit_policy::appended(std::size_t appends, std::uint64_t bytes,
                                          const handover_hints& hints) {
  gathered_.push_back({appends, bytes});
  gathered_appends_ += appends;
  gathered_bytes_ += bytes;
  hints_ = hints;
  switch (phase_) {
    case phase::syncing:  // arrived during the fdatasync: the marker counts it
      return {};
    case phase::idle:
      return schedule();
    case phase::lingering:  // no reason to wait any longer?
      if (gathered_appends_ >= expected_group_ || hints.behind > 0 || written_requests_ > 0)
        return flush_now();
      return {};
    case phase::gathering:
    case phase::written:  // the flush on its way takes it
      return {};
  }
  return {};
}

// Write what was gathered and look again, unless the group is full. With nothing new, sync,
// unless a batch was announced behind the newest one: then linger once for it.
commit_step group_commit_policy::flush_due(std::uint64_t ticket) {
  if (ticket != ticket_ || phase_ == phase::idle || phase_ == phase::syncing) return {};  // stale
  // The one linger over written bytes is the wait for a batch behind: it is over now.
  const bool waited_for_behind = phase_ == phase::lingering && written_requests_ > 0;
  phase_ = written_requests_ > 0 ? phase::written : phase::gathering;
  if (!gathered_.empty()) {
    const auto requests = writable(false);
    if (requests == 0) return {commit_step::kind::sync, 0, {}, 0};  // full already
    return {commit_step::kind::write, 0, {}, requests};
  }
  if (!waited_for_behind && hints_.behind > 0 && written_requests_ > 0) {
    const auto linger_time = linger_for();
    if (linger_time.count() > 0) return linger(linger_time);
  }
  return {commit_step::kind::sync, 0, {}, 0};
}

commit_step group_commit_policy::written(std::size_t requests) {
  take_written(requests);
  const auto cap = cap_bytes();
  const bool full = (cap > 0 && written_bytes_ >= cap) || appends_full(written_appends_);
  if (full) return {commit_step::kind::sync, 0, {}, 0};  // no more gathering, no linger
  return flush_now();
}

// The backlog marker: every append before it arrived during the last fdatasync.
commit_step group_commit_policy::marker() {
  if (markers_pending_ == 0) return {};
  if (--markers_pending_ > 0) return {};  // a newer fdatasync sent another one
  phase_ = phase::idle;
  expected_group_ += gathered_appends_;
  if (!gathered_.empty()) return schedule();
  return {};
}

commit_step group_commit_policy::behind_cancelled() {
  hints_.behind = 0;
  if (phase_ == phase::gathering || phase_ == phase::written) return {};  // that flush syncs
  return {commit_step::kind::sync, 0, {}, 0};
}

std::size_t group_commit_policy::sync_begins(bool whole) {
  const auto requests = writable(whole);
  take_written(requests);
  return requests;
}

// Appends left gathered by the group's size start the next group (after the marker, when one
// was sent: it schedules their flush).
commit_step group_commit_policy::next_group() {
  if (!gathered_.empty() && phase_ == phase::idle) return flush_now();
  return {};
}

after_sync group_commit_policy::synced(const sync_report& report) {
  ++ticket_;  // a flush still on its way is stale now
  phase_ = markers_pending_ > 0 ? phase::syncing : phase::idle;
  const auto group_requests = written_requests_;
  const auto group_appends = written_appends_;
  const auto group_bytes = written_bytes_;
  written_requests_ = 0;
  written_appends_ = 0;
  written_bytes_ = 0;
  after_sync out;
  if (report.ran) {
    if (!report.record) sync_ewma_us_ = average(sync_ewma_us_, static_cast<double>(report.sync_us));
    idle_ewma_us_ = average(idle_ewma_us_, static_cast<double>(report.idle_us));
  }
  if (group_requests > 0) {
    // Closed-loop requesters answered now will append again; those that arrived during the
    // fdatasync are in the mailbox already, ahead of the marker, which counts them.
    expected_group_ = group_appends;
    if (max_linger_.count() > 0) {
      ++markers_pending_;
      phase_ = phase::syncing;
      out.send_marker = true;
    }
    out.zero_ahead_bytes = idle_zero_bytes({hints_.group_appends > 0, report.direct, idle_ewma_us_,
                                            sync_ewma_us_, group_bytes, report.zeroed_ahead});
  }
  out.next = next_group();
  return out;
}

}  // namespace raftvault::actors
