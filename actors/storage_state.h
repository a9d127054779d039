// The storage facade's state and its append pipeline: acceptance (sequence number + codec),
// backpressure, sealing (inline or on the crypto pool), in-order hand-off to the WAL writer,
// durable replies, rotation barriers and fail-stop.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>

#include "actors/append_validation.h"
#include "actors/config.h"
#include "actors/crypto_pool.h"
#include "actors/group_mode.h"
#include "actors/key_rotator.h"
#include "actors/storage.h"
#include "actors/wal_writer.h"
#include "keys/key_store.h"
#include "raftlog/store_layout.h"
#include "raftlog/wal.h"

namespace raftvault::actors {

// What the storage starts from, taken out of an opened store by spawn_storage: the WAL, which
// it passes on to the WAL writer (its only user from then on), and values of its own.
struct storage_start {
  std::unique_ptr<raftlog::wal> wal;
  codec_ptr codec;
  raftlog::store_layout layout;
  recovered_state recovered;
  std::shared_ptr<keys::key_store> keys;
};

struct storage_state {
  struct batch {
    std::uint64_t seq = 0;
    caf::typed_response_promise<std::uint64_t> promise;
    hard_state state;
    std::vector<entry> entries;  // plain until sealed
    std::vector<std::uint32_t> data_crcs;  // per entry when sealed on the pool (crypto_pool.h)
    codec_ptr codec;             // in force when the batch was accepted
    std::uint64_t bytes = 0;
    bool sealed = false;
    // Sealing on the pool: the batch goes out in contiguous pieces, one per worker, and is
    // sealed when every piece is back.
    std::vector<sealed_entries> pieces;
    std::size_t pieces_pending = 0;
  };
  struct barrier {
    std::uint64_t seq;
    barrier_report report;
    caf::typed_response_promise<barrier_report> promise;
  };
  struct snapshot_job {
    snapshot snap;
    caf::typed_response_promise<std::uint64_t> promise;
  };

  pipeline_options options;
  std::function<group_mode::clock::time_point()> now;  // options.clock, or the steady clock
  std::optional<recovered_state> recovered;
  // The codec in force: this actor's alone. Rotation replaces it here (switch, retire); a
  // batch keeps the one it was accepted with, and the helpers get it as a value with the job.
  codec_ptr codec;

  wal_writer_actor wal;
  snapshot_writer_actor snaps;
  std::vector<crypto_worker_actor> pool;
  std::size_t next_worker = 0;
  key_rotator_actor rotator;

  accepted_position position;
  // The highest index ever accepted: a rewrite lowers position.last_index, but the WAL still
  // holds the entries it replaced, and a restart at a snapshot below them reads them back
  // (a rotation's last_old: the highest index written with the old key; docs/design.md,
  // "DEK rotation protocol").
  std::uint64_t highest_index = 0;
  hard_state handed_state;  // the newest one handed to the WAL writer (ahead of a snapshot record)
  std::uint64_t next_seq = 1;        // stamped on the next accepted batch
  std::uint64_t next_write_seq = 1;  // next batch to hand to the WAL writer
  std::uint64_t durable_seq = 0;     // every batch up to here is durable
  std::deque<batch> waiting;         // accepted, held back by max-inflight-bytes
  std::map<std::uint64_t, batch> sealing;  // admitted, being sealed or sealed
  std::uint64_t inflight_bytes = 0;
  std::uint64_t inflight_appends = 0;  // batches admitted and not yet durable
  group_mode groups;                   // whole or half WAL groups (group_mode.h)
  bool handover_pending = false;   // a handover_atom is on its way to this actor
  std::deque<barrier> barriers;
  std::deque<snapshot_job> snapshots;  // the front one is being written
  // Release and status requests still waiting for a helper's answer: their promises live in
  // response handlers, which CAF drops undelivered when this actor quits, so close waits.
  std::size_t answers_pending = 0;
  std::optional<caf::typed_response_promise<bool>> closing;
  std::optional<raftvault::error> failure;  // sticky: fail-stop or closed

  ~storage_state();
  static const char* name;
};

using storage_pointer = storage_actor::stateful_pointer<storage_state>;

// The facade's behavior (storage.cpp); spawned by spawn_storage (pipeline.h).
storage_actor::behavior_type storage(storage_pointer self, pipeline_options options,
                                     storage_start start);

// Admits waiting batches within the in-flight budget and seals them; sealed ones are handed to
// the WAL writer by hand_over, after the messages already in the mailbox.
void pump(storage_pointer self);
// Hands the sealed batches to the WAL writer in sequence order, up to group-commit-bytes per
// message.
void hand_over(storage_pointer self);
// Fail-stop: every waiting request gets `err`, and so does every later one.
void fail_all(storage_pointer self, const raftvault::error& err);
// Answers rotation barriers whose batches are all durable.
void release_barriers(storage_pointer self);
// Writes the front snapshot job (seal + .snap, WAL record, release, GC), then the next
// (storage_snapshots.cpp).
void run_snapshot_jobs(storage_pointer self);
// Releases the WAL segments a snapshot at `index` made unneeded: the WAL writer forgets them,
// the snapshot writer deletes them; then `done` (with the error, if any).
void release_segments(storage_pointer self, std::uint64_t index,
                      std::function<void(const caf::error*)> done);
// Closes once nothing is in flight.
void maybe_close(storage_pointer self);

}  // namespace raftvault::actors
