// Latency histograms with bounded memory, so long runs can record every operation. Values are
// nanoseconds; values below 2^SubBits are exact, larger ones fall into log-linear buckets
// (2^(SubBits-1) sub-buckets per power of two, HdrHistogram's idea) and a percentile reports
// its bucket's upper bound, clamped to the largest value recorded. latency_histogram (8 bits,
// < 0.8% relative error) serves whole runs; the time series (time_series.h) keeps one coarse
// histogram per 100 ms interval.
#pragma once

#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace raftvault::bench {

template <unsigned SubBits>
struct log_linear_buckets {
  static constexpr std::uint64_t kExact = 1ull << SubBits;  // values below are their own bucket
  static constexpr std::uint64_t kHalf = kExact / 2;        // sub-buckets per power of two above
  static constexpr unsigned kMaxShift = 64 - SubBits;       // shift for values with bit 63 set
  static constexpr std::size_t kCount = kExact + kMaxShift * kHalf;

  // Above kExact: shift so the top SubBits bits remain, i.e. (value >> shift) is in
  // [kHalf, kExact); each shift owns kHalf buckets after the exact ones.
  static std::size_t bucket_of(std::uint64_t value) {
    if (value < kExact) return static_cast<std::size_t>(value);
    const unsigned highest = 63u - static_cast<unsigned>(__builtin_clzll(value));
    const unsigned shift = highest - (SubBits - 1);
    const std::uint64_t sub = value >> shift;
    return static_cast<std::size_t>(kExact + (shift - 1) * kHalf + (sub - kHalf));
  }

  static std::uint64_t upper_bound_of(std::size_t bucket) {
    if (bucket < kExact) return bucket;
    const std::uint64_t offset = bucket - kExact;
    const unsigned shift = static_cast<unsigned>(offset / kHalf) + 1;
    const std::uint64_t sub = offset % kHalf + kHalf;
    return (sub << shift) + ((1ull << shift) - 1);
  }
};

// The percentile p in [0, 100] over per-bucket `counts` holding `total` values: the smallest
// bucket bound b such that at least p% of the values are <= b. 0 when empty.
template <class Buckets, class Counts>
std::uint64_t bucket_percentile(const Counts& counts, std::uint64_t total, double p) {
  if (total == 0) return 0;
  const double clamped = p < 0 ? 0 : (p > 100 ? 100 : p);
  auto rank = static_cast<std::uint64_t>(std::ceil(clamped / 100.0 * static_cast<double>(total)));
  if (rank == 0) rank = 1;
  std::uint64_t seen = 0;
  for (std::size_t bucket = 0; bucket < Buckets::kCount; ++bucket) {
    seen += counts[bucket];
    if (seen >= rank) return Buckets::upper_bound_of(bucket);
  }
  return Buckets::upper_bound_of(Buckets::kCount - 1);
}

class latency_histogram {
 public:
  using buckets = log_linear_buckets<8>;

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
  std::vector<std::uint64_t> counts_;
  std::uint64_t count_ = 0;
  std::uint64_t sum_ = 0;
  std::uint64_t min_ = ~0ull;
  std::uint64_t max_ = 0;
};

// Nanoseconds -> microseconds for reports.
inline double to_micros(std::uint64_t nanos) { return static_cast<double>(nanos) / 1000.0; }

}  // namespace raftvault::bench
