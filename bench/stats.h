// Latency histogram with bounded memory and < 0.8% relative error, so long runs can record
// every operation. Values are nanoseconds; values below 256 are exact, larger ones fall into
// log-linear buckets (256 sub-buckets per power of two, HdrHistogram's idea) and a
// percentile reports its bucket's upper bound, clamped to the largest value recorded.
#pragma once

#include <chrono>
#include <cstdint>
#include <vector>

namespace raftvault::bench {

class latency_histogram {
 public:
  latency_histogram();

  void record(std::uint64_t nanos);
  void record(std::chrono::steady_clock::duration elapsed);
  void merge(const latency_histogram& other);

  // p in [0, 100]: the smallest recorded value v such that at least p% of the values are
  // <= v (up to the bucket's resolution). 0 when nothing was recorded.
  std::uint64_t percentile(double p) const;

  std::uint64_t count() const { return count_; }
  std::uint64_t min() const { return count_ ? min_ : 0; }
  std::uint64_t max() const { return max_; }
  double mean() const { return count_ ? static_cast<double>(sum_) / static_cast<double>(count_) : 0; }

 private:
  static std::size_t bucket_of(std::uint64_t value);
  static std::uint64_t upper_bound_of(std::size_t bucket);

  std::vector<std::uint64_t> counts_;
  std::uint64_t count_ = 0;
  std::uint64_t sum_ = 0;
  std::uint64_t min_ = ~0ull;
  std::uint64_t max_ = 0;
};

// Nanoseconds -> microseconds for reports.
inline double to_micros(std::uint64_t nanos) { return static_cast<double>(nanos) / 1000.0; }

}  // namespace raftvault::bench
