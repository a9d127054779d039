#include "bench/time_series.h"

#include <algorithm>
#include <cstdio>

namespace raftvault::bench {

time_series::time_series(clock_type::time_point start, clock_type::duration length,
                         clock_type::duration interval)
    : start_(start),
      interval_(std::max<clock_type::duration>(interval, std::chrono::microseconds(1))),
      intervals_(static_cast<std::size_t>(std::max<clock_type::rep>(
          1, (length.count() + interval_.count() - 1) / interval_.count()))),
      counts_(new interval_counts[intervals_]) {}

std::size_t time_series::interval_of(clock_type::time_point at) const {
  if (at <= start_) return 0;
  const auto index = static_cast<std::size_t>((at - start_) / interval_);
  return std::min(index, intervals_ - 1);
}

void time_series::record(clock_type::time_point at, std::uint64_t latency_ns, std::uint64_t entries) {
  auto& counts = counts_[interval_of(at)];
  counts.appends.fetch_add(1, std::memory_order_relaxed);
  counts.entries.fetch_add(entries, std::memory_order_relaxed);
  counts.latency[buckets::bucket_of(latency_ns)].fetch_add(1, std::memory_order_relaxed);
}

void time_series::mark(clock_type::time_point at, event what) {
  auto& counts = counts_[interval_of(at)];
  (what == event::rotation ? counts.rotations : counts.snapshots).fetch_add(1, std::memory_order_relaxed);
}

std::vector<time_series::row> time_series::rows() const {
  std::size_t used = 0;
  for (std::size_t i = 0; i < intervals_; ++i) {
    const auto& c = counts_[i];
    if (c.appends.load() > 0 || c.rotations.load() > 0 || c.snapshots.load() > 0) used = i + 1;
  }
  const double seconds = std::chrono::duration<double>(interval_).count();
  std::vector<row> out(used);
  std::vector<std::uint64_t> latency(buckets::kCount);
  for (std::size_t i = 0; i < used; ++i) {
    const auto& c = counts_[i];
    row& r = out[i];
    r.start_seconds = seconds * static_cast<double>(i);
    r.appends = c.appends.load();
    r.entries = c.entries.load();
    r.entries_per_sec = static_cast<double>(r.entries) / seconds;
    for (std::size_t b = 0; b < buckets::kCount; ++b) latency[b] = c.latency[b].load();
    r.p50_us = to_micros(bucket_percentile<buckets>(latency, r.appends, 50));
    r.p99_us = to_micros(bucket_percentile<buckets>(latency, r.appends, 99));
    r.rotations = c.rotations.load();
    r.snapshots = c.snapshots.load();
  }
  return out;
}

std::string time_series::csv() const {
  std::string out = "t_s,appends,entries,entries_per_sec,p50_us,p99_us,rotations,snapshots\n";
  char line[256];
  for (const auto& r : rows()) {
    std::snprintf(line, sizeof line, "%.3f,%llu,%llu,%.0f,%.1f,%.1f,%llu,%llu\n", r.start_seconds,
                  static_cast<unsigned long long>(r.appends), static_cast<unsigned long long>(r.entries),
                  r.entries_per_sec, r.p50_us, r.p99_us, static_cast<unsigned long long>(r.rotations),
                  static_cast<unsigned long long>(r.snapshots));
    out += line;
  }
  return out;
}

}  // namespace raftvault::bench
