// The storage facade: the one actor a consensus service talks to (docs/actors.md).
//
// Happy path: append(hard_state, entries) is validated, stamped with a sequence number and the
// codec in force (that is the rotation barrier), sealed (inline when small, else on the crypto
// pool), handed to the WAL writer in acceptance order, and answered with the durable last
// index once the WAL writer's fdatasync covering it returned.
// Failure modes: invalid input is refused before anything is written (the error says why);
// beyond max-inflight-bytes appends wait (backpressure) rather than grow memory; after the WAL
// writer fails every pending and later request gets its sticky error (fail-stop); after close
// every request gets errc::closed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <caf/typed_actor.hpp>

#include "actors/atoms.h"
#include "actors/caf_glue.h"
#include "actors/snapshot_writer.h"
#include "raftlog/encrypted_log.h"

namespace raftvault::actors {

// What a restart reads (decrypted): metadata, hard state, snapshot, entries after it.
using recovered_state = raftlog::recovered_state;

struct storage_status {
  std::uint32_t sealing_generation = 0;
  std::vector<std::uint32_t> key_generations;  // held (current, and pending mid-rotation)
  std::string rotation_state;                  // "{C}", "{C,F}", "{C,P}", "{C,P,F}"
  std::uint64_t kek_version = 0;
  bool locked = false;
  std::uint64_t first_index = 0;
  std::uint64_t last_index = 0;
  std::uint64_t snapshot_index = 0;
  hard_state state;
  std::size_t segments = 0;
  std::uint64_t bytes_in_flight = 0;
  std::uint64_t fsync_groups = 0;
  std::uint64_t durable_appends = 0;
  std::uint64_t wal_handovers = 0;     // messages that carried appends to the WAL writer
  std::uint64_t group_lingers = 0;     // times a WAL group waited for more appends
  // zeros ahead the WAL writer wrote between groups (group_commit_policy.h)
  std::uint64_t idle_zeroings = 0;
  bool half_groups = false;            // WAL groups of half the appends in flight (group_mode.h)
  double group_disk_us = 0;            // a group's disk time, writes and fdatasync (moving average)
  double group_appends_in_cycle = 0;   // appends in flight before a group is answered (N)
  double group_round_trip_us = 0;      // C of whole groups, measured by group-commit-mode=auto
  bool wal_direct_io = false;          // WAL written with O_DIRECT (raftvault.wal-direct-io)
  std::vector<std::uint64_t> sync_us;  // recent WAL fdatasync durations
  std::string failure;                 // empty unless fail-stopped or closed
};

struct rotation_report {
  std::uint32_t old_id = 0;
  std::uint32_t new_id = 0;
  std::uint64_t last_old = 0;        // highest index sealed with the old key
  std::uint64_t snapshot_index = 0;  // the forced snapshot sealed with the new key
  std::uint64_t duration_us = 0;
};

// After a rotation's barrier: the last index sealed with the old key and the snapshot index
// then in force (the forced snapshot must reach max(last_old, snapshot_index + 1)).
struct barrier_report {
  std::uint64_t last_old = 0;
  std::uint64_t snapshot_index = 0;
};

// The service's snapshot provider: asked for a snapshot at an applied index >= min_index.
using snapshot_provider_actor =
    caf::typed_actor<caf::replies_to<take_snap_atom, std::uint64_t>::with<snapshot>>;

}  // namespace raftvault::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(raftvault::raftlog::recovered_state)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(raftvault::actors::storage_status)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(raftvault::actors::rotation_report)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(raftvault::actors::barrier_report)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(raftvault::raftlog::held_key)

namespace raftvault::actors {

using storage_actor = caf::typed_actor<
    // What a restart reads (decrypted). Answered once per open; later calls get an empty state
    // with the current hard state (the entries were handed over already).
    caf::replies_to<recover_atom>::with<recovered_state>,
    // Appends entries (contiguous, first index in (snapshot index, last index + 1]; an index
    // <= last index replaces that suffix, as raft does) and the hard state (may be empty)
    // -> the last durable index, once durable.
    caf::replies_to<append_atom, hard_state, std::vector<entry>>::with<std::uint64_t>,
    // Seals and writes a snapshot durably, records it in the WAL with a hard state covering
    // it, releases old segments and GCs old snapshots -> its index.
    caf::replies_to<snapshot_atom, snapshot>::with<std::uint64_t>,
    // Deletes WAL segments not needed to open at a snapshot at `index` (the WAL writer forgets
    // them, the snapshot writer takes them out of the log) -> once out of the log; their space
    // is given back afterwards at raftvault.segment-delete-rate. An index past the newest
    // durable snapshot is refused (invalid_argument), nothing deleted.
    caf::replies_to<release_atom, std::uint64_t>::with<bool>,
    // Runs one DEK rotation (docs/design.md, "DEK rotation protocol") -> its report. Requests
    // during a rotation are coalesced into the next one.
    caf::replies_to<rotate_dek_atom>::with<rotation_report>,
    // Re-wraps the key file under a new unlock key (text form) with a kek-version that must grow.
    caf::replies_to<rotate_kek_atom, std::string, std::uint64_t>::with<bool>,
    // Turns autolock on (-> the new unlock key's text form) or off (-> ""). On replaces the key
    // file before the reply: a crash in between leaves the store locked under a key nobody saw.
    // Where that must never happen, make the key first (keys::unlock_key::generate), keep it
    // safe, then install it with rotate_kek(text, kek_version + 1) (docs/keys.md).
    caf::replies_to<autolock_atom, bool>::with<std::string>,
    // Registers the actor asked for a snapshot during a DEK rotation.
    caf::reacts_to<provider_atom, snapshot_provider_actor>,
    caf::replies_to<status_atom>::with<storage_status>,
    // Internal (key rotator): seal every append accepted from now on with this key; answered
    // once everything accepted before is durable.
    caf::replies_to<switch_atom, raftlog::held_key>::with<barrier_report>,
    // Internal (key rotator): drop generation `retired` from the codec and delete the snapshot
    // files only it opens -> number of files deleted.
    caf::replies_to<retire_atom, std::uint32_t>::with<std::uint64_t>,
    // Internal (sent to itself): hands every append sealed by now to the WAL writer in one
    // message. Sent behind the appends already in the mailbox, so a burst of them crosses to
    // the WAL writer's thread once instead of once each.
    caf::reacts_to<handover_atom>,
    // Waits for in-flight appends, syncs, closes the WAL; later requests get errc::closed.
    caf::replies_to<close_atom>::with<bool>>;

}  // namespace raftvault::actors
