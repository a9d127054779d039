// The demo's synthetic consensus service: closed-loop producer threads appending batches in
// log order (index assignment and send under one mutex, as a raft node's single log writer
// guarantees), hard states whose commit trails the log, a snapshot provider actor that serves
// the state machine at any proposed index, and periodic snapshots. Entry payloads are a pure
// function of (index, term), so whoever learns an acknowledged index can check its bytes.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "actors/pipeline.h"

namespace raftvault::cli::demo {

std::string entry_payload(std::uint64_t index, std::uint64_t term, std::size_t size);
std::string snapshot_payload(std::uint64_t index);

// What the service has proposed and had acknowledged (durable).
class service_state {
 public:
  void proposed(std::uint64_t last_index, std::uint64_t term);
  void acknowledged(std::uint64_t first, std::uint64_t last);
  std::uint64_t last_proposed() const;
  std::uint64_t last_acknowledged() const;
  std::uint64_t term() const { return term_; }
  void set_term(std::uint64_t term) { term_ = term; }

 private:
  mutable std::mutex mutex_;
  std::uint64_t proposed_ = 0;
  std::uint64_t acked_ = 0;
  std::uint64_t term_ = 1;
};

// Spawns the snapshot provider over `state` and registers it with the storage.
void register_provider(actors::blocking_storage& storage, std::shared_ptr<service_state> state);

struct load_shape {
  std::size_t producers = 8;
  std::size_t batch = 4;
  std::size_t entry_bytes = 256;
  std::uint64_t term = 1;
  double snapshot_every_s = 0.6;
};

struct load_stats {
  std::uint64_t appends = 0;
  std::uint64_t entries = 0;
  std::uint64_t bytes = 0;
  std::uint64_t snapshots = 0;
  double seconds = 0;
  std::vector<std::uint64_t> latency_us;  // one per append, sorted after stop()
  std::string failure;                    // first failure, if any
};

// Runs producers and a snapshot thread against `storage` until stop(). `on_ack(first, last,
// term)` runs for every acknowledged batch (from producer threads).
class load {
 public:
  using ack_fn = std::function<void(std::uint64_t, std::uint64_t, std::uint64_t)>;
  load(actors::blocking_storage& storage, std::shared_ptr<service_state> state, std::uint64_t first_index,
       load_shape shape, ack_fn on_ack = {});
  ~load();
  load(const load&) = delete;
  load& operator=(const load&) = delete;
  load_stats stop();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

std::uint64_t percentile(const std::vector<std::uint64_t>& sorted, double p);

}  // namespace raftvault::cli::demo
