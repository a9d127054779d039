// The load of `raftvault-bench pipeline`: closed-loop producer actors appending to the storage
// facade as a raft node's service would, and the snapshot provider a DEK rotation asks.
//
// Producers are event-based actors (request(...).then(...)): a blocking scoped_actor round
// trip adds two thread wakes per append (docs/design.md, "Scheduler defaults"), which is the
// caller's cost, not the pipeline's. Log order: indexes are assigned and the request is sent
// under one mutex, so the storage receives appends in index order; the durable reply is
// awaited outside it.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include <caf/actor_system.hpp>

#include "actors/storage.h"
#include "bench/ack_log.h"
#include "bench/stats.h"
#include "bench/time_series.h"

namespace raftvault::bench {

// To an open-loop sender: send one append scheduled this many nanoseconds after `started`.
using arrival_atom = caf::atom_constant<caf::atom("arrival")>;
// To an open-loop sender: hand in the latencies and quit.
using finish_atom = caf::atom_constant<caf::atom("finish")>;

struct pipeline_load {
  actors::storage_actor storage;
  std::string payload;     // Entry.Data of every entry
  std::uint64_t batch = 1;  // entries per append
  const ack_log* acks = nullptr;  // --ack-log: written before the producer's next append
  std::chrono::steady_clock::time_point started;

  std::mutex order;             // index assignment + send: the log's order
  std::uint64_t next_index = 1;  // guarded by `order`; the store's last index + 1 at the start

  std::atomic<bool> measuring{false};  // latencies are recorded while set
  std::atomic<bool> stopping{false};   // producers send nothing new once set
  std::atomic<std::uint64_t> acked_entries{0};
  std::atomic<std::uint64_t> acked_appends{0};
  std::atomic<std::uint64_t> failed_appends{0};
  // The lowest first index of an append answered with an error (0: none failed). Once the
  // store fails nothing at or above it may be acknowledged: later entries would follow a hole.
  std::atomic<std::uint64_t> lowest_failed_index{0};
  std::atomic<std::uint64_t> highest_sent{0};  // the store's last index at the start
  std::atomic<std::int64_t> provider_asked_ns{-1};  // since `started`: the rotation's snapshot
  std::uint64_t snapshot_size = 0;
  std::atomic<std::uint64_t> highest_durable{0};  // the highest last durable index replied
  time_series* series = nullptr;  // --csv: every reply, by completion time

  // Open loop: bytes of appends sent and not answered (as the storage counts them: data + 32
  // per entry); the pacer waits while another append would pass its cap.
  std::atomic<std::uint64_t> outstanding_bytes{0};
  std::atomic<bool> pacer_blocked{false};
  std::atomic<bool> open_loop_failed{false};  // an append failed: the pacer stops
  std::mutex pacer_mutex;
  std::condition_variable pacer_wake;
  std::uint64_t append_bytes() const { return batch * (payload.size() + 32); }
  // After a reply in the open loop: `append_bytes()` fewer outstanding; wakes the pacer.
  void release_outstanding();
  // Blocks while outstanding_bytes + `adding` > `cap` (and something is outstanding), or
  // until `until`: true when it may send.
  bool wait_outstanding_below(std::uint64_t cap, std::uint64_t adding,
                              std::chrono::steady_clock::time_point until);

  // Filled in by each producer as it stops.
  std::mutex results;
  std::condition_variable all_stopped;
  std::uint64_t stopped = 0;
  latency_histogram latency;  // send -> durable reply, appends completed while measuring
  std::string first_error;

  // Blocks until `producers` producers have stopped.
  void wait_stopped(std::uint64_t producers);
  // Blocks until `until`, or until `producers` producers have stopped before it (each stops at
  // its first failed append): true when they all stopped.
  bool wait_stopped_until(std::uint64_t producers, std::chrono::steady_clock::time_point until);
  // After wait_stopped: lets newly spawned producers run again (alternating runs).
  void allow_restart();
};

// Spawns one closed-loop producer; it starts appending at once and quits after `stopping`.
caf::actor spawn_producer(caf::actor_system& system, std::shared_ptr<pipeline_load> load);
// Spawns one open-loop sender: an append per arrival_atom; quits on finish_atom (counted as
// stopped, its latencies merged).
caf::actor spawn_open_loop_sender(caf::actor_system& system, std::shared_ptr<pipeline_load> load);

// The service's snapshot provider: a snapshot of `snapshot_size` bytes at exactly the index
// asked for (every index up to the rotation's barrier was sent, so the state machine has it).
actors::snapshot_provider_actor spawn_snapshot_provider(caf::actor_system& system,
                                                        std::shared_ptr<pipeline_load> load);

}  // namespace raftvault::bench
