#include "actors/group_mode.h"

#include <algorithm>
#include <cstdint>

namespace raftvault::actors {
namespace {

constexpr double kWeight = 0.2;    // of a new sample in the moving averages
constexpr double kEnter = 1.15;    // half groups while C > 1.15 D
constexpr double kMinAppends = 8;  // fewer in flight: half groups are not worth a sync
constexpr std::size_t kMaxProbes = 64;
constexpr auto kSettle = std::chrono::milliseconds(5);   // after a switch, before measuring
constexpr double kMeasureCycles = 8;                     // cycles of whole groups to measure
constexpr auto kRemeasureEvery = std::chrono::seconds(2);

double average(double old, double sample) { return old == 0 ? sample : old + kWeight * (sample - old); }

}  // namespace

double group_mode::round_trip_us() const {
  return turnaround_appends_ > 0 ? turnaround_us_ / turnaround_appends_ * appends_in_cycle_ : 0;
}

void group_mode::admitted(clock::time_point now, std::uint64_t inflight) {
  ++admissions_;
  peak_ = peak_restarts_ ? inflight : std::max(peak_, inflight);
  peak_restarts_ = false;
  while (!probes_.empty() && admissions_ >= probes_.front().target) {
    const auto& p = probes_.front();
    if (p.measures) {
      // Weighted by the appends each probe waited for: a lone straggler's turnaround is one
      // requester's latency, not the CPUs' pace.
      turnaround_us_ = turnaround_us_ * (1 - kWeight) +
                       std::chrono::duration<double, std::micro>(now - p.since).count();
      turnaround_appends_ = turnaround_appends_ * (1 - kWeight) + static_cast<double>(p.target - p.base);
      measured_appends_ += static_cast<double>(p.target - p.base);
    }
    probes_.pop_front();
  }
}

void group_mode::answered(clock::time_point now, std::uint64_t count, std::uint64_t disk_us) {
  if (count == 0) return;
  // The answers of one group arrive back to back: they share the peak before them. In a
  // closed loop the peak is every requester: all of them wait just before a group is answered.
  appends_in_cycle_ = average(appends_in_cycle_, static_cast<double>(peak_));
  peak_restarts_ = true;
  if (setting_ != group_mode_setting::automatic) {
    if (disk_us > 0) whole_disk_us_ = average(whole_disk_us_, static_cast<double>(disk_us));
    return;
  }
  const bool settled = now - since_ >= kSettle;
  if (disk_us > 0 && settled) {
    auto& d = halves_ ? half_disk_us_ : whole_disk_us_;
    d = average(d, static_cast<double>(disk_us));
  }
  const std::uint64_t from = probes_.empty() ? admissions_ : std::max(admissions_, probes_.back().target);
  if (probes_.size() < kMaxProbes) probes_.push_back({now, admissions_, from + count, !halves_ && settled});
  decide(now);
}

void group_mode::switch_to(bool halves, clock::time_point now) {
  halves_ = halves;
  since_ = now;
  measured_appends_ = 0;
  half_disk_us_ = 0;
}

void group_mode::decide(clock::time_point now) {
  if (halves_) {
    // Measure again now and then, and at once if the disk got much slower.
    if (now - since_ >= kRemeasureEvery || half_disk_us_ > 2 * whole_disk_us_) switch_to(false, now);
    return;
  }
  if (appends_in_cycle_ < kMinAppends || whole_disk_us_ <= 0) return;
  if (measured_appends_ < kMeasureCycles * appends_in_cycle_) return;
  if (round_trip_us() > kEnter * whole_disk_us_) {
    switch_to(true, now);
  } else {
    measured_appends_ = 0;  // whole groups stay; decide again after the next measurement
  }
}

std::uint64_t group_mode::group_appends() const {
  if (!halves_) return 0;
  return std::max<std::uint64_t>(1, static_cast<std::uint64_t>(appends_in_cycle_ / 2 + 0.5));
}

std::uint64_t group_mode::handover_appends() const {
  if (!halves_) return UINT64_MAX;
  return std::max<std::uint64_t>(1, static_cast<std::uint64_t>(appends_in_cycle_ / 4 + 0.5));
}

}  // namespace raftvault::actors
