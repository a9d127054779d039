// The WAL writer: the one owner of the segment files (docs/actors.md, "Append path").
// The mechanism of group commit; its rules (when to write, linger, sync, zero ahead) are the
// group_commit_policy (actors/group_commit_policy.h), which this actor asks after every event.
//
// Happy path: every append that arrives while a write + fdatasync is running joins the next
// group; ONE fdatasync per group makes all of it durable, and each requester is answered, in
// order, only after that fdatasync returned. A group is written in as few writes as the policy
// allows (one for everything gathered), and everything written waits for the group's
// fdatasync, so the storage's max-inflight-bytes bounds a group.
// Failure modes: a failed write or fdatasync makes the writer fail-stop. Every requester
// waiting, and every later request, gets the same sticky error; it never retries and never
// reports success for bytes it could not make durable.
//
// Runs detached (its own thread): its work is blocking I/O, which must not occupy one of the
// scheduler's workers (one per core).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <vector>

#include <caf/typed_actor.hpp>

#include "actors/atoms.h"
#include "actors/caf_glue.h"
#include "actors/group_commit_policy.h"
#include "raftlog/wal.h"

namespace raftvault::actors {

// One append as the storage hands it over: an accepted batch, sealed.
struct wal_append {
  hard_state state;
  std::vector<entry> entries;
  std::vector<std::uint32_t> data_crcs;  // one per entry (sealed on the crypto pool), or none
};

// The answer to an append request: durable up to `last_index`, how long the group it was in
// kept the disk busy (its writes and its fdatasync), and how long the disk sat idle before
// it, since the previous group's fdatasync returned (the storage's group_mode.h; zeros ahead
// written in that time count as idle: they only fill the requesters' round trip).
struct wal_ack {
  std::uint64_t last_index = 0;
  std::uint64_t disk_us = 0;
  std::uint64_t idle_us = 0;
};

struct wal_writer_status {
  std::uint64_t last_index = 0;
  std::uint64_t groups = 0;          // fdatasyncs of append groups
  std::uint64_t appends = 0;         // appends (storage batches) made durable
  std::uint64_t requests = 0;        // append requests received (hand-overs by the storage)
  std::uint64_t lingers = 0;         // times a group waited for more appends (a timer)
  std::uint64_t idle_zeroings = 0;   // chunks of zeros ahead written between groups
  bool direct_io = false;            // the tail is written with O_DIRECT
  std::uint64_t zeroed_ahead = 0;    // bytes of zeros ahead of the tail (raftlog::wal::zeroed_ahead)
  std::vector<raftlog::segment_info> segments;
  std::vector<std::uint64_t> sync_us;  // recent fdatasync durations (ring of the last 4096)
};

}  // namespace raftvault::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(raftvault::actors::wal_writer_status)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(raftvault::actors::wal_ack)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(raftvault::actors::handover_hints)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<raftvault::actors::wal_append>)

namespace raftvault::actors {

using wal_writer_actor = caf::typed_actor<
    // Appends of SEALED entries (each with its hard state), in log order -> the last index
    // (wal_ack), once all of them are durable. One request carries every append the storage
    // had ready (each message to this thread may wake it: a syscall on both sides), and the
    // policy counts appends, not requests, when it sizes a group.
    caf::replies_to<append_atom, std::vector<wal_append>, handover_hints>::with<wal_ack>,
    // Internal: flush number `ticket` (sent by the writer to itself, now or after a linger):
    // the policy's flush_due. Only the newest flush counts; an older one is stale.
    caf::reacts_to<flush_atom, std::uint64_t>,
    // Internal (linger only): the marker sent to itself after each fdatasync, before the
    // answers; it queues behind the appends that arrived meanwhile (the policy's marker).
    caf::reacts_to<backlog_atom>,
    // Internal (storage): the batches announced `behind` will not come (their sealing failed):
    // sync what was written and answer it.
    caf::reacts_to<no_behind_atom>,
    // The WAL record of a durable snapshot, plus a hard state whose commit covers it
    // (etcd ignores a snapshot beyond the persisted commit) -> done, once durable.
    caf::replies_to<snap_rec_atom, snapshot_marker, hard_state>::with<bool>,
    // Forgets the segments that opening at a snapshot at this index no longer needs ->
    // their paths. The writer does not delete them: that is the snapshot writer's job
    // (drop_segs), so no append waits for a 64 MB unlink and a directory fsync.
    caf::replies_to<release_atom, std::uint64_t>::with<std::vector<std::string>>,
    caf::replies_to<status_atom>::with<wal_writer_status>,
    // Syncs and closes the WAL; later requests fail with errc::closed.
    caf::replies_to<close_atom>::with<bool>>;

struct wal_writer_options {
  std::chrono::microseconds max_linger{0};  // group-commit-linger-us (0: never linger)
  std::uint64_t group_bytes = 0;            // group-commit-bytes (0: no cap)
  // Times the writes and fdatasyncs (wal_ack, the policy's averages); empty: the steady clock.
  // Tests pass a clock of their own to make disk time and idle time what they need.
  std::function<std::chrono::steady_clock::time_point()> clock;
};

// The writer takes the WAL over: from then on no other actor or thread touches it (entries
// arrive sealed, so the writer needs no codec), and it closes it when it stops.
// A WAL writer on `system` (tests drive it on the test coordinator).
wal_writer_actor spawn_wal_writer(caf::actor_system& system, std::unique_ptr<raftlog::wal> wal,
                                  wal_writer_options options);
// A WAL writer linked to `parent`; `detached`: on its own thread.
wal_writer_actor spawn_wal_writer(caf::local_actor* parent, bool detached,
                                  std::unique_ptr<raftlog::wal> wal, wal_writer_options options);

}  // namespace raftvault::actors
