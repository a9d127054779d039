// The time series behind `--csv FILE`: a load's completions bucketed into fixed intervals
// (100 ms by default) by completion time, each interval with its own coarse latency histogram
// (stats.h, 5 bits: within 3%) for p50/p99, and markers for events (DEK rotations, snapshots)
// counted in the interval they happened in. Memory is fixed when it is made: one histogram
// per interval of the planned length, so a long overloaded run cannot grow it; completions
// after the planned length land in the last interval.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "bench/stats.h"

namespace raftvault::bench {

class time_series {
 public:
  using clock_type = std::chrono::steady_clock;
  using buckets = log_linear_buckets<5>;
  enum class event { rotation, snapshot };

  // Intervals of `interval` from `start` covering at least `length` (at least one).
  time_series(clock_type::time_point start, clock_type::duration length,
              clock_type::duration interval = std::chrono::milliseconds(100));

  // The interval `at` falls in: before start -> 0, past the end -> the last. Exposed for tests.
  std::size_t interval_of(clock_type::time_point at) const;
  std::size_t intervals() const { return intervals_; }

  // Thread-safe (relaxed atomics): one append of `entries` completed at `at` after `latency`.
  void record(clock_type::time_point at, std::uint64_t latency_ns, std::uint64_t entries);
  // Thread-safe.
  void mark(clock_type::time_point at, event what);

  struct row {
    double start_seconds = 0;
    std::uint64_t appends = 0;
    std::uint64_t entries = 0;
    double entries_per_sec = 0;
    double p50_us = 0;
    double p99_us = 0;
    std::uint64_t rotations = 0;  // rotations started in the interval
    std::uint64_t snapshots = 0;  // snapshots requested in the interval
  };
  // Rows up to the last interval that saw a completion or an event.
  std::vector<row> rows() const;
  // "t_s,appends,entries,entries_per_sec,p50_us,p99_us,rotations,snapshots" and one line a row.
  std::string csv() const;

 private:
  struct interval_counts {
    std::atomic<std::uint64_t> appends{0};
    std::atomic<std::uint64_t> entries{0};
    std::atomic<std::uint32_t> rotations{0};
    std::atomic<std::uint32_t> snapshots{0};
    std::atomic<std::uint32_t> latency[buckets::kCount] = {};
  };

  clock_type::time_point start_;
  clock_type::duration interval_;
  std::size_t intervals_;
  std::unique_ptr<interval_counts[]> counts_;
};

}  // namespace raftvault::bench
