// The WAL writer: the one owner of the segment files (docs/actors.md, "Append path").
//
// Happy path: every append that arrives while a write + fdatasync is running joins the next
// group; ONE fdatasync per group makes all of it durable, and each requester is answered, in
// order, only after that fdatasync returned.
// Write ahead of the sync: the writer writes what it gathered as soon as it is free (one write
// for all of it), then looks again before the fdatasync: a flush sent to itself queues behind
// the appends that arrived during the write, and they are written into the same group. So the
// writer does not idle while a sealed batch could be written, and large batches sealed one
// after another on the crypto pool share one fdatasync instead of each paying one. Everything
// written waits for the group's fdatasync, so the storage's max-inflight-bytes bounds a group.
// Linger (max_linger > 0): two waits, each at most max_linger and half an average fdatasync,
// so that waiting costs at most that and saves a whole fdatasync when it pays off.
//  - A closed-loop requester answered by one fdatasync appends again a moment later. When the
//    group gathered so far is smaller than the expected one (the requesters just answered plus
//    those that arrived during the fdatasync), its first write waits for the rest; a full
//    group goes at once. A lone requester never waits, and groups of concurrent requesters
//    merge instead of alternating in two halves each paying a whole fdatasync.
//  - When the storage announced batches still being sealed behind the newest append
//    (`behind`), the written group's fdatasync waits for the next of them.
// max_linger 0 turns both off (deterministic tests: no timers).
// Half groups (append_cap > 0, from the storage: group_mode.h): a group syncs once it holds
// append_cap appends and never lingers, so that two groups alternate, one written while the
// other's requesters append again.
// Group size (group_bytes > 0): once a group has written group_bytes of entries, or half of
// the storage's bytes in flight if that is more, it syncs without looking for more. Large
// appends would otherwise all join one group, be answered together and come back together,
// leaving the disk idle while they are built and sealed. With groups of half what is in
// flight, half the requesters build and seal their next batches while the other half's group
// is written, so the disk stays busy; smaller groups would only pay more fdatasyncs and more
// per-group overhead. Small appends never reach the cap.
// Zeros ahead while idle: with whole groups of closed-loop requesters the disk sits idle while
// they append again. A small group whose write reaches preallocated blocks never written
// before also writes zeros up to the next 256 KiB (raftlog/tail_writer.h), and its fdatasync
// records the extent change, which makes it one of the slowest groups. So right after
// answering a group the writer writes the next 256 KiB of zeros itself (idle_zero_bytes
// below), in time the disk would idle anyway; the groups then only overwrite. A larger chunk,
// or an fdatasync of the zeros, would outlast that idle time and delay the next group.
// Failure modes: a failed write or fdatasync makes the writer fail-stop. The failing group and
// every later request get the same sticky error; it never retries and never reports success
// for bytes it could not make durable.
//
// Runs detached (its own thread): its work is blocking I/O, which must not occupy one of the
// scheduler's workers (one per core).
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <vector>

#include <caf/typed_actor.hpp>

#include "actors/atoms.h"
#include "actors/caf_glue.h"
#include "raftlog/encrypted_log.h"

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
  std::vector<raftlog::segment_info> segments;
  std::vector<std::uint64_t> sync_us;  // recent fdatasync durations (ring of the last 4096)
};

}  // namespace raftvault::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(raftvault::actors::wal_writer_status)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(raftvault::actors::wal_ack)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<raftvault::actors::wal_append>)

namespace raftvault::actors {

using wal_writer_actor = caf::typed_actor<
    // Appends of SEALED entries (each with its hard state), in log order -> the last index
    // (wal_ack), once all of them are durable. One request carries every append the storage had ready
    // (each message to this thread may wake it: a syscall on both sides), and the writer
    // counts appends, not requests, when it sizes a group.
    // `behind`: appends the storage admitted after these and is still sealing; they reach
    // the writer without waiting for any durability (0: none).
    // `inflight`: the storage's entry bytes admitted and not yet durable, these included (it
    // sizes groups, see "Group size").
    // `append_cap`: the storage's half-group size (see "Half groups"; 0: whole groups).
    caf::replies_to<append_atom, std::vector<wal_append>, std::uint64_t, std::uint64_t,
                    std::uint64_t>::with<wal_ack>,
    // Internal: flush number `id` (sent by the writer to itself, now or after a linger): write
    // what was gathered, or sync the group when nothing more is coming. Only the newest flush
    // counts; an older one is stale and ignored.
    caf::reacts_to<flush_atom, std::uint64_t>,
    // Internal (linger only): sent to itself after each fdatasync, it queues behind the appends
    // that arrived meanwhile and so counts them into the next group's expected size.
    caf::reacts_to<flush_atom>,
    // Internal (storage): the batches announced `behind` will not come (their sealing failed):
    // sync what was written and answer it.
    caf::reacts_to<sync_atom>,
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

wal_writer_actor::behavior_type wal_writer(wal_writer_actor::stateful_pointer<struct wal_writer_state> self,
                                           std::shared_ptr<raftlog::encrypted_log> log,
                                           std::chrono::microseconds max_linger,
                                           std::uint64_t group_bytes);

// Zeros ahead while idle (see above): how many bytes of zeros to write after answering a
// group, or 0. Only with whole groups (half groups keep the disk busy), O_DIRECT (buffered
// writes pad nothing), a disk recently idle before each group for at least two fdatasyncs (a
// lone requester is back within a hop or two and must not wait for zeros), a small group
// (large writes convert little for their size) and fewer than kIdleZeroBytes zeroed already.
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

struct wal_writer_state {
  // One append request: answered once all its appends are durable.
  struct pending_request {
    caf::typed_response_promise<wal_ack> promise;
    std::vector<wal_append> appends;
    std::uint64_t bytes = 0;  // entry bytes
  };
  std::shared_ptr<raftlog::encrypted_log> log;
  std::vector<pending_request> group;    // gathered, not written yet
  std::vector<pending_request> written;  // written, waiting for the group's fdatasync
  std::size_t gathered_appends = 0;      // appends in `group`
  std::size_t written_appends = 0;       // appends in `written`
  std::uint64_t written_bytes = 0;  // entry bytes in `written`
  std::uint64_t group_bytes = 0;    // sync once written_bytes reaches it (0: no cap) ...
  std::uint64_t inflight = 0;       // ... or half of this if more (from the newest append)
  std::uint64_t append_cap = 0;     // half groups: sync at this many appends, no linger (0: off)
  std::chrono::steady_clock::duration group_busy{};  // this group's writes (and then its sync)
  std::optional<std::chrono::steady_clock::time_point> last_sync_end;  // of any group or record
  std::uint64_t behind = 0;         // announced by the newest append (see append_atom)
  std::uint64_t flush_id = 0;       // of the newest flush sent; older ones are stale
  bool flush_pending = false;       // flush `flush_id` is on its way
  bool lingering = false;           // ... after a linger (a delayed message)
  bool waited_for_behind = false;   // the written group lingered for `behind` batches already
  std::size_t expected_group = 0;   // appends; see "Linger" above
  std::size_t markers_pending = 0;  // backlog markers sent and not yet processed
  std::chrono::microseconds max_linger{0};
  double sync_ewma_us = 0;          // recent fdatasync duration
  double idle_ewma_us = 0;          // recent disk idle time before a group (wal_ack.idle_us)
  std::uint64_t idle_zeroings = 0;
  std::optional<raftvault::error> failure;  // sticky: set once, never cleared
  std::uint64_t groups = 0;
  std::uint64_t appends = 0;
  std::uint64_t requests = 0;
  std::uint64_t lingers = 0;
  std::vector<std::uint64_t> sync_us;
  std::size_t sync_next = 0;
  ~wal_writer_state();
  static const char* name;
};

}  // namespace raftvault::actors
