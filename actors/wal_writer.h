// The WAL writer: the one owner of the segment files (DESIGN.md §4).
//
// Happy path: every append that arrives while a write + fdatasync is running joins the next
// group; one write per batch and ONE fdatasync per group make all of them durable, and each
// requester is answered, in order, only after that fdatasync returned.
// Linger: a closed-loop requester answered by one fdatasync appends again a moment later. When
// the group gathered so far is smaller than the expected one (the requesters just answered
// plus those that arrived during the fdatasync), the flush waits up to max_linger (at most half
// an average fdatasync) for the rest; a full group flushes at once. A lone requester never
// waits, and groups of concurrent requesters merge instead of alternating in two halves each
// paying a whole fdatasync. max_linger 0 turns it off (deterministic tests: no timers).
// Failure modes: a failed write or fdatasync makes the writer fail-stop. The failing group and
// every later request get the same sticky error; it never retries and never reports success
// for bytes it could not make durable.
//
// Runs detached (its own thread): its work is blocking I/O, which must not occupy one of the
// scheduler's workers (two on this machine).
#pragma once

#include <chrono>
#include <memory>
#include <vector>

#include <caf/typed_actor.hpp>

#include "actors/atoms.h"
#include "actors/caf_glue.h"
#include "raftlog/encrypted_log.h"

namespace raftvault::actors {

struct wal_writer_status {
  std::uint64_t last_index = 0;
  std::uint64_t groups = 0;          // fdatasyncs of append groups
  std::uint64_t appends = 0;         // append requests made durable
  std::vector<raftlog::segment_info> segments;
  std::vector<std::uint64_t> sync_us;  // recent fdatasync durations (ring of the last 4096)
};

}  // namespace raftvault::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(raftvault::actors::wal_writer_status)

namespace raftvault::actors {

using wal_writer_actor = caf::typed_actor<
    // A batch of SEALED entries (and its hard state) -> the last index, once durable.
    caf::replies_to<append_atom, hard_state, std::vector<entry>>::with<std::uint64_t>,
    // Internal: write and sync group `generation` (sent by the writer to itself; a flush for an
    // older generation is stale and ignored).
    caf::reacts_to<flush_atom, std::uint64_t>,
    // Internal (linger only): sent to itself after each fdatasync, it queues behind the appends
    // that arrived meanwhile and so counts them into the next group's expected size.
    caf::reacts_to<flush_atom>,
    // The WAL record of a durable snapshot, plus a hard state whose commit covers it
    // (etcd ignores a snapshot beyond the persisted commit) -> done, once durable.
    caf::replies_to<snap_rec_atom, snapshot_marker, hard_state>::with<bool>,
    // Deletes segments that opening at a snapshot at this index no longer needs.
    caf::replies_to<release_atom, std::uint64_t>::with<bool>,
    caf::replies_to<status_atom>::with<wal_writer_status>,
    // Syncs and closes the WAL; later requests fail with errc::closed.
    caf::replies_to<close_atom>::with<bool>>;

wal_writer_actor::behavior_type wal_writer(wal_writer_actor::stateful_pointer<struct wal_writer_state> self,
                                           std::shared_ptr<raftlog::encrypted_log> log,
                                           std::chrono::microseconds max_linger);

struct wal_writer_state {
  struct pending_append {
    caf::typed_response_promise<std::uint64_t> promise;
    hard_state state;
    std::vector<entry> entries;
  };
  std::shared_ptr<raftlog::encrypted_log> log;
  std::vector<pending_append> group;
  bool flush_scheduled = false;
  std::uint64_t generation = 0;     // of the group being gathered
  bool lingering = false;           // a delayed flush for it is pending
  std::size_t expected_group = 0;   // see "Linger" above
  std::size_t markers_pending = 0;  // backlog markers sent and not yet processed
  std::chrono::microseconds max_linger{0};
  double sync_ewma_us = 0;          // recent fdatasync duration
  std::optional<raftvault::error> failure;  // sticky: set once, never cleared
  std::uint64_t groups = 0;
  std::uint64_t appends = 0;
  std::vector<std::uint64_t> sync_us;
  std::size_t sync_next = 0;
  ~wal_writer_state();
  static const char* name;
};

}  // namespace raftvault::actors
