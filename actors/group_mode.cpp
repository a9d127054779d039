#include "actors/group_mode.h"

#include <algorithm>
#include <cstdint>

namespace raftvault::actors {
namespace {

constexpr double kWeight = 0.2;  // of a new sample in the moving averages

double average(double old, double sample) { return old == 0 ? sample : old + kWeight * (sample - old); }

}  // namespace

void group_mode::admitted(std::uint64_t inflight) {
  peak_ = peak_restarts_ ? inflight : std::max(peak_, inflight);
  peak_restarts_ = false;
}

void group_mode::answered(std::uint64_t count, std::uint64_t disk_us) {
  if (count == 0) return;
  // The answers of one group arrive back to back: they share the peak before them. In a
  // closed loop the peak is every requester: all of them wait just before a group is answered.
  appends_in_cycle_ = average(appends_in_cycle_, static_cast<double>(peak_));
  peak_restarts_ = true;
  if (disk_us > 0) disk_us_ = average(disk_us_, static_cast<double>(disk_us));
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
