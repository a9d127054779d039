// Group commit's rules for the WAL writer (docs/actors.md, "Group commit"): when to write what
// was gathered, when to wait for more, when to sync, and when to write zeros ahead. Pure: no
// CAF, no I/O, no clock. The writer (wal_writer.cpp) reports what happened and carries out the
// step it gets back; tests/actors/group_commit_policy_test.cpp drives every transition.
//
// Phases of a group (idle: nothing waiting):
//   gathering  appends are waiting; a flush the writer sent itself, queued behind the appends
//              already in its mailbox, writes them all with one write.
//   written    part of the group is written; a flush queued behind the appends that arrived
//              during that write looks again before the fdatasync, so the writer never idles
//              while sealed data could join the group.
//   lingering  a delayed flush: a short first write waits for the requesters expected from the
//              previous group, or a written group waits once for a batch the storage announced
//              as still being sealed behind it.
//   syncing    the group was synced and answered, and the marker the writer sent itself before
//              the answers has not come back: the appends queued before it arrived during the
//              fdatasync, so they are counted into the next group's expected size, not written.
//
// Rules:
//  - Linger: each wait lasts at most max_linger and half an average fdatasync, so waiting costs
//    at most that and saves a whole fdatasync when it pays off. A closed-loop requester answered
//    by one fdatasync appends again a moment later, so a first write short of the expected group
//    (the requesters just answered plus those that arrived during the fdatasync) waits for the
//    rest; a full group goes at once, and a lone requester never waits.
//  - Half groups (hints.group_appends > 0, group_mode.h): a group syncs once it holds that many
//    appends and never lingers, so two groups alternate, one written while the other's
//    requesters append again.
//  - Group size (group_bytes > 0): once a group has written group_bytes of entries, or half the
//    storage's bytes in flight if that is more, it syncs without looking for more, so half the
//    requesters build and seal their next batches while the other half's group is on disk.
//  - Zeros ahead while idle: see idle_zero_bytes below.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>

namespace raftvault::actors {

// What the storage tells the WAL writer with each hand-over.
struct handover_hints {
  // Batches the storage admitted after these and is still sealing; they come without waiting
  // for any durability (0: none).
  std::uint64_t behind = 0;
  // The storage's entry bytes admitted and not yet durable, these included ("Group size").
  std::uint64_t inflight_bytes = 0;
  // The storage's half-group size ("Half groups"; 0: whole groups).
  std::uint64_t group_appends = 0;
};

// Zeros ahead while idle. With whole groups of closed-loop requesters the disk sits idle while
// they append again; a small group whose write reaches preallocated blocks never written before
// pads them with zeros itself (raftlog/tail_writer.h) and its fdatasync records the extent
// change, which makes it one of the slowest groups. So right after answering such a group the
// writer writes the next kIdleZeroBytes of zeros, in time the disk would idle anyway; a larger
// chunk, or an fdatasync of the zeros, would outlast that idle time and delay the next group.
// Only with whole groups (half groups keep the disk busy), O_DIRECT (buffered writes pad
// nothing), a disk recently idle before each group for at least two fdatasyncs (a lone
// requester is back within a hop or two and must not wait for zeros), a small group (large
// writes convert little for their size) and less than kIdleZeroBytes zeroed already.
constexpr std::uint64_t kIdleZeroBytes = 256 << 10;
constexpr double kIdleZeroIdleVsSync = 2;
struct idle_zeroing_inputs {
  bool half_groups = false;
  bool direct = false;
  double idle_ewma_us = 0;         // disk idle time before a group (wal_ack.idle_us), average
  double sync_ewma_us = 0;         // fdatasync time, average
  std::uint64_t group_bytes = 0;   // entry bytes of the group just answered
  std::uint64_t zeroed_ahead = 0;  // raftlog::wal::zeroed_ahead()
};
std::uint64_t idle_zero_bytes(const idle_zeroing_inputs& in);

// What the writer does next.
struct commit_step {
  enum class kind {
    wait,    // nothing until the next event
    flush,   // send itself flush `ticket` now (it queues behind the appends in the mailbox)
    linger,  // send itself flush `ticket` after `delay`
    write,   // write the `requests` oldest gathered requests (one write), then report written()
    sync,    // sync the group: sync_begins(false), write, fdatasync, synced()
  };
  kind what = kind::wait;
  std::uint64_t ticket = 0;
  std::chrono::microseconds delay{0};
  std::size_t requests = 0;
};

// What a group's fdatasync measured (the writer times it), and what the WAL reports after it.
struct sync_report {
  bool ran = true;              // false: nothing was written and no record asked for a sync
  bool record = false;          // a snapshot record's own sync: not sampled as an fdatasync
  std::uint64_t sync_us = 0;    // the fdatasync's duration
  std::uint64_t idle_us = 0;    // the disk's idle time before the group (wal_ack.idle_us)
  bool direct = false;          // raftlog::wal::writes_direct()
  std::uint64_t zeroed_ahead = 0;  // raftlog::wal::zeroed_ahead()
};

// After a group's fdatasync, carried out in this order: the marker (before the answers: an
// append triggered by an answer must queue behind it, or it would be counted twice and a lone
// producer would linger for an append that never comes), the answers, the zeros, the next step.
struct after_sync {
  bool send_marker = false;
  std::uint64_t zero_ahead_bytes = 0;
  commit_step next;
};

class group_commit_policy {
 public:
  enum class phase { idle, gathering, written, lingering, syncing };

  // max_linger 0: never linger; group_bytes 0: no size cap.
  group_commit_policy(std::chrono::microseconds max_linger, std::uint64_t group_bytes)
      : max_linger_(max_linger), group_bytes_(group_bytes) {}

  // A hand-over arrived: a request of `appends` appends holding `bytes` entry bytes.
  commit_step appended(std::size_t appends, std::uint64_t bytes, const handover_hints& hints);
  // Flush `ticket` came back (at once or after a linger); an older one is stale and ignored.
  commit_step flush_due(std::uint64_t ticket);
  // The requests of the last write step are written.
  commit_step written(std::size_t requests);
  // The marker sent after an fdatasync came back.
  commit_step marker();
  // The storage's batches announced behind will not come (their sealing failed).
  commit_step behind_cancelled();

  // The group's fdatasync is due (a sync step, a snapshot record, close): how many of the oldest
  // gathered requests to write into it first, all of them when `whole`, else up to the group's
  // size. They count as written from now on.
  std::size_t sync_begins(bool whole);
  // The group's fdatasync (or record) returned successfully.
  after_sync synced(const sync_report& report);

  phase current() const { return phase_; }
  std::size_t expected_group() const { return expected_group_; }  // appends
  std::size_t gathered_appends() const { return gathered_appends_; }
  std::size_t written_appends() const { return written_appends_; }
  double sync_ewma_us() const { return sync_ewma_us_; }
  double idle_ewma_us() const { return idle_ewma_us_; }
  // How long a linger lasts now (0: no linger).
  std::chrono::microseconds linger_for() const;

 private:
  struct request_size {
    std::size_t appends = 0;
    std::uint64_t bytes = 0;
  };
  std::uint64_t cap_bytes() const;
  bool appends_full(std::size_t appends) const;
  std::size_t writable(bool whole) const;
  void take_written(std::size_t requests);
  commit_step schedule();
  commit_step flush_now();
  commit_step linger(std::chrono::microseconds delay);
  commit_step next_group();

  std::chrono::microseconds max_linger_;
  std::uint64_t group_bytes_;
  handover_hints hints_;  // of the newest hand-over
  phase phase_ = phase::idle;
  std::uint64_t ticket_ = 0;         // of the newest flush; older ones are stale
  std::size_t markers_pending_ = 0;  // sent and not back yet (phase syncing while > 0)
  std::deque<request_size> gathered_;
  std::size_t gathered_appends_ = 0;
  std::uint64_t gathered_bytes_ = 0;
  std::size_t written_requests_ = 0;
  std::size_t written_appends_ = 0;
  std::uint64_t written_bytes_ = 0;
  std::size_t expected_group_ = 0;
  double sync_ewma_us_ = 0;
  double idle_ewma_us_ = 0;
};

}  // namespace raftvault::actors
