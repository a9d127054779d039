// The open loop of `raftvault-bench pipeline --rate R`: appends arrive at fixed times, R per
// second, whether or not earlier ones were answered, and each latency counts from its
// scheduled arrival, not from when it could be sent: a slow reply delays no later arrival's
// clock (no coordinated omission).
//
// The pacer (one thread) sends each arrival to the senders round-robin once it is due. Memory
// stays bounded under any rate: when the appends sent and not answered reach the storage's
// max-inflight-bytes, the pacer holds the next arrival (its scheduled time is all it keeps)
// until replies free room, so the wait shows in that arrival's latency; arrivals still due at
// the end of the run are counted as the backlog.
#pragma once

#include <chrono>
#include <cstdint>
#include <vector>

#include <caf/actor.hpp>

#include "bench/pipeline_load.h"

namespace raftvault::bench {

class arrival_schedule {
 public:
  using clock_type = std::chrono::steady_clock;
  arrival_schedule(clock_type::time_point start, double rate) : start_(start), rate_(rate) {}

  // Arrival k (from 0) is due at start + k / rate, computed from k (no accumulated rounding).
  clock_type::time_point at(std::uint64_t k) const;
  // How many arrivals are due at `now` (those with at(k) <= now).
  std::uint64_t due_by(clock_type::time_point now) const;

 private:
  clock_type::time_point start_;
  double rate_;
};

struct open_loop_result {
  std::uint64_t sent = 0;
  std::uint64_t backlog = 0;       // arrivals due by the end and never sent
  std::uint64_t held = 0;          // arrivals that waited for max-inflight-bytes to free room
  double max_send_lag_us = 0;      // the latest an arrival was sent after its scheduled time
};

// Paces arrivals from load.started until `ends`, an append failure or load.stopping, sending
// them to `senders` round-robin, at most `cap_bytes` outstanding. Runs on the calling thread.
open_loop_result run_open_loop(pipeline_load& load, const std::vector<caf::actor>& senders,
                               const arrival_schedule& schedule,
                               std::chrono::steady_clock::time_point ends, std::uint64_t cap_bytes);

}  // namespace raftvault::bench
