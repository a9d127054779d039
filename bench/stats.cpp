#include "bench/stats.h"

#include <algorithm>
#include <cmath>

namespace raftvault::bench {
namespace {

constexpr unsigned kSubBits = 8;
constexpr std::uint64_t kExact = 1ull << kSubBits;      // values below are their own bucket
constexpr std::uint64_t kHalf = kExact / 2;             // sub-buckets per power of two above
constexpr unsigned kMaxShift = 64 - kSubBits;           // shift for values with bit 63 set
constexpr std::size_t kBuckets = kExact + kMaxShift * kHalf;

unsigned highest_bit(std::uint64_t value) { return 63u - static_cast<unsigned>(__builtin_clzll(value)); }

}  // namespace

latency_histogram::latency_histogram() : counts_(kBuckets, 0) {}

// Above kExact: shift so the top kSubBits bits remain, i.e. (value >> shift) is in
// [kHalf, kExact); each shift owns kHalf buckets after the exact ones.
std::size_t latency_histogram::bucket_of(std::uint64_t value) {
  if (value < kExact) return static_cast<std::size_t>(value);
  const unsigned shift = highest_bit(value) - (kSubBits - 1);
  const std::uint64_t sub = value >> shift;
  return static_cast<std::size_t>(kExact + (shift - 1) * kHalf + (sub - kHalf));
}

std::uint64_t latency_histogram::upper_bound_of(std::size_t bucket) {
  if (bucket < kExact) return bucket;
  const std::uint64_t offset = bucket - kExact;
  const unsigned shift = static_cast<unsigned>(offset / kHalf) + 1;
  const std::uint64_t sub = offset % kHalf + kHalf;
  const std::uint64_t low = sub << shift;
  return low + ((1ull << shift) - 1);
}

void latency_histogram::record(std::uint64_t nanos) {
  ++counts_[bucket_of(nanos)];
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
  for (std::size_t i = 0; i < kBuckets; ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  sum_ += other.sum_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
}

std::uint64_t latency_histogram::percentile(double p) const {
  if (count_ == 0) return 0;
  if (p <= 0) return min_;
  p = std::min(p, 100.0);
  const auto rank = std::max<std::uint64_t>(
      1, static_cast<std::uint64_t>(std::ceil(p / 100.0 * static_cast<double>(count_))));
  std::uint64_t seen = 0;
  for (std::size_t bucket = 0; bucket < kBuckets; ++bucket) {
    seen += counts_[bucket];
    if (seen >= rank) return std::clamp(upper_bound_of(bucket), min_, max_);
  }
  return max_;
}

}  // namespace raftvault::bench
