#include "bench/stats.h"

#include <algorithm>

namespace raftvault::bench {

latency_histogram::latency_histogram() : counts_(buckets::kCount, 0) {}

void latency_histogram::record(std::uint64_t nanos) {
  ++counts_[buckets::bucket_of(nanos)];
  ++count_;
  sum_ += nanos;
  min_ = std::min(min_, nanos);
  max_ = std::max(max_, nanos);
}

void latency_histogram::record(std::chrono::steady_clock::duration elapsed) {
  auto nanos = std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed).count();
  record(static_cast<std::uint64_t>(std::max<decltype(nanos)>(nanos, 0)));
}

void latency_histogram::merge(const latency_histogram& other) {
  for (std::size_t i = 0; i < buckets::kCount; ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  sum_ += other.sum_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
}

std::uint64_t latency_histogram::percentile(double p) const {
  if (count_ == 0) return 0;
  if (p <= 0) return min_;
  return std::clamp(bucket_percentile<buckets>(counts_, count_, p), min_, max_);
}

}  // namespace raftvault::bench
