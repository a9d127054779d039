#include "actors/group_mode.h"

#include <algorithm>
#include <cstdint>

namespace raftvault::actors {
namespace {

constexpr double kWeight = 0.2;    // of a new sample in the moving averages
constexpr double kEnter = 1.15;    // half groups while C > 1.15 D
constexpr double kMinAppends = 8;  // fewer in flight: half groups are not worth a sync
// An idle sample counts at most this many disk times (any C above 1.15 D decides the same):
// the first group after a quiet spell waited for appends that were not there, which says
// nothing about their round trip.
constexpr double kMaxIdleVsDisk = 2;
constexpr auto kSettle = std::chrono::milliseconds(5);   // after a switch, before measuring
constexpr double kMeasureCycles = 8;                     // cycles of whole groups to measure
constexpr auto kRemeasureEvery = std::chrono::seconds(2);

double average(double old, double sample) { return old == 0 ? sample : old + kWeight * (sample - old); }

}  // namespace

void group_mode::admitted(std::uint64_t inflight) {
  peak_ = peak_restarts_ ? inflight : std::max(peak_, inflight);
  peak_restarts_ = false;
}

void group_mode::answered(clock::time_point now, std::uint64_t count, std::uint64_t disk_us,
                          std::uint64_t idle_us) {
  if (count == 0) return;
  // The answers of one group arrive back to back: they share the peak before them. In a
  // closed loop the peak is every requester: all of them wait just before a group is answered.
  appends_in_cycle_ = average(appends_in_cycle_, static_cast<double>(peak_));
  peak_restarts_ = true;
  if (setting_ != group_mode_setting::automatic) {
    if (disk_us > 0) whole_disk_us_ = average(whole_disk_us_, static_cast<double>(disk_us));
    return;
  }
  if (disk_us > 0 && now - since_ >= kSettle) {
    auto& d = halves_ ? half_disk_us_ : whole_disk_us_;
    d = average(d, static_cast<double>(disk_us));
    if (!halves_) {
      const double idle = std::min(static_cast<double>(idle_us), kMaxIdleVsDisk * static_cast<double>(disk_us));
      whole_idle_us_ = average(whole_idle_us_, idle);
      measured_appends_ += static_cast<double>(count);
    }
  }
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
