// The key rotator: owns the key file and runs the DEK rotation protocol
// (docs/design.md, "DEK rotation protocol"):
//   request (persist F; requests until prepare coalesce) -> prepare (generate P, persist {C,P})
//   -> drain (the storage's barrier: appends accepted before it are sealed with C and durable;
//   last_old = the highest of them; later appends are sealed with P, none refused or
//   reordered) -> forced snapshot (the provider's snapshot at an applied index
//   >= max(last_old, snapshot index + 1), sealed with P, written durably with its WAL record)
//   -> retire (persist {C := P}, wipe C, delete the files only C opens) -> report.
// Failure modes: a provider that fails or answers with too old a snapshot leaves the rotation
// pending ({C,P} on disk, both keys held, nothing retired); it is retried after
// rotation-retry-ms and on the next request. Its requesters get the error, and so do those
// coalesced into the next rotation (F stays on disk). A crash at any step is recovered on the next
// start: the key file's {C,P} opens everything and the rotation resumes from the barrier.
// Also: KEK rotation and autolock (docs/design.md, "KEK rotation and autolock"), each one
// atomic key-file replace.
//
// Runs detached: key-file writes are fsynced I/O.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <vector>

#include <caf/typed_actor.hpp>

#include "actors/atoms.h"
#include "actors/caf_glue.h"
#include "actors/storage.h"
#include "keys/key_store.h"

namespace raftvault::actors {

struct rotator_status {
  std::uint32_t current = 0;
  std::uint32_t pending = 0;  // 0: none
  bool needs_rotation = false;
  std::uint64_t kek_version = 0;
  bool locked = false;
  bool rotating = false;
  std::string state;  // "{C}", "{C,F}", "{C,P}", "{C,P,F}"
};

}  // namespace raftvault::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(raftvault::actors::rotator_status)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::shared_ptr<raftvault::keys::key_store>)

namespace raftvault::actors {

using key_rotator_actor = caf::typed_actor<
    // One DEK rotation -> its report (coalesced with requests made while one runs).
    caf::replies_to<rotate_dek_atom>::with<rotation_report>,
    // New unlock key (text form) and a kek-version above the current one.
    caf::replies_to<rotate_kek_atom, std::string, std::uint64_t>::with<bool>,
    // Autolock on -> new unlock key text; off -> "".
    caf::replies_to<autolock_atom, bool>::with<std::string>,
    caf::reacts_to<provider_atom, snapshot_provider_actor>,
    caf::replies_to<status_atom>::with<rotator_status>,
    // Internal: resume a pending rotation (timer, start-up).
    caf::reacts_to<retry_atom>,
    // Internal: the next step of a rotation, after the step pause.
    caf::reacts_to<step_atom>>;

// The rotator's state: where the protocol is, and who waits for it.
struct key_rotator_state {
  enum class step { idle, draining, snapshotting, retiring };
  // Weak: the storage holds the rotator, and a strong handle back would keep both alive after
  // the service dropped its handle unclosed (the actor system's destructor would wait forever).
  caf::actor_addr storage_addr;
  storage_actor storage() const { return caf::actor_cast<storage_actor>(storage_addr); }
  std::shared_ptr<keys::key_store> store;
  std::chrono::milliseconds retry_interval{1000};
  std::chrono::microseconds step_pause{0};
  bool encrypted = true;  // false: a plaintext store (cipher none) has no DEK in use to rotate
  std::function<void()> after_pause;  // the step waiting for the step_atom
  std::optional<snapshot_provider_actor> provider;
  step current = step::idle;
  bool retry_scheduled = false;
  std::vector<caf::typed_response_promise<rotation_report>> waiters;       // this rotation
  std::vector<caf::typed_response_promise<rotation_report>> next_waiters;  // the next one (F)
  rotation_report report;
  barrier_report barrier;
  std::chrono::steady_clock::time_point started;
  ~key_rotator_state();
  static const char* name;
};


// `nice`: the thread's nice value when detached (thread_priority.h; 0: unchanged).
// `step_pause`: the wait between a rotation's durable steps (F -> {C,P} -> drain -> snapshot
// -> retire; none when 0). Each step flushes the disk's cache once or twice, and a flush
// queued beside the WAL's fdatasync delays every append of that group commit; spaced out, the
// appends between them run at full speed (docs/actors.md, "Step pause").
key_rotator_actor::behavior_type key_rotator(
    key_rotator_actor::stateful_pointer<key_rotator_state> self, storage_actor storage,
    std::shared_ptr<keys::key_store> store, std::chrono::milliseconds retry_interval,
    std::uint64_t nice, std::chrono::microseconds step_pause, bool encrypted);

}  // namespace raftvault::actors
