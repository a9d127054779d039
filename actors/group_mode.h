// Whole or half groups: how the WAL writer's groups split the appends in flight
// (raftvault.group-commit-mode).
//
// Closed-loop requesters answered by one fdatasync come back together: the disk idles while
// their next appends cross the actors (C: the CPU round trip of all N appends in flight), and
// the CPUs idle while the group is written and synced (D: the disk time of one group). Whole
// groups give N / (D + C) appends per second; two alternating halves overlap one half's round
// trip with the other half's disk time, (N/2) / max(D, C/2): better exactly when C > D.
// With this VM's fast fdatasync and 64 producers of 256 B (C ~200-250 us, D ~150 us) half
// groups are ~20% faster; with a 1 ms fdatasync whole groups win by as much. Whole groups are
// the default; choosing by measuring C and D at run time is not built yet: half groups come
// back faster per append than whole ones, so C measured in one mode misleads in the other
// (bench/README.md, fifth session).
#pragma once

#include <cstdint>

namespace raftvault::actors {

enum class group_mode_setting { whole, halves };

class group_mode {
 public:
  explicit group_mode(group_mode_setting setting = group_mode_setting::whole)
      : halves_(setting == group_mode_setting::halves) {}

  // An append admitted: `inflight` appends are now admitted and not yet durable.
  void admitted(std::uint64_t inflight);
  // `count` appends answered, whose group kept the disk busy `disk_us` in all.
  void answered(std::uint64_t count, std::uint64_t disk_us);

  bool halves() const { return halves_; }
  // Half groups: the appends after which the WAL writer syncs (half the appends in a cycle),
  // and the most one hand-over carries (a quarter: two hand-overs a group). 0 / unlimited with
  // whole groups.
  std::uint64_t group_appends() const;
  std::uint64_t handover_appends() const;

  double appends_in_cycle() const { return appends_in_cycle_; }  // N, a moving average
  double disk_us() const { return disk_us_; }                    // D, a moving average

 private:
  bool halves_;
  std::uint64_t peak_ = 0;  // the most in flight since appends came in after an answer
  bool peak_restarts_ = false;
  double appends_in_cycle_ = 0;
  double disk_us_ = 0;
};

}  // namespace raftvault::actors
