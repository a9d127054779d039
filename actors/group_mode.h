// Whole or half groups: how the WAL writer's groups split the appends in flight
// (raftvault.group-commit-mode).
//
// Closed-loop requesters answered by one fdatasync come back together: the disk idles while
// their next appends cross the actors (C: the CPU round trip of all N appends in flight), and
// the CPUs idle while the group is written and synced (D: the disk time of one group). Whole
// groups give N / (D + C) appends per second; two alternating halves overlap one half's round
// trip with the other half's disk time, (N/2) / max(D, C/2): better exactly when C > D.
// With this VM's fast fdatasync and 64 producers of 256 B (C ~200-250 us, D ~150 us) half
// groups are ~20% faster; with 16 producers, or a 1 ms fdatasync, whole groups win by as
// much. Automatic (opt-in): whole groups measure C (the time per append while answered
// requesters come back, times N) and D (the writer's answers), and switch to half groups while
// C > 1.15 D; half groups return to whole ones every two seconds (or when their disk time
// doubles) to measure again. Whole groups stay the default: auto raised 64 producers by ~20%
// here but their p99 came closer to the limit, and in one suite in a slow disk phase
// it ran half groups at a 369 us group disk time and reached only 18.2 x one producer; whether
// whole groups would have done better there is not known (bench/README.md, fifth session).
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>

namespace raftvault::actors {

enum class group_mode_setting { whole, halves, automatic };

class group_mode {
 public:
  using clock = std::chrono::steady_clock;
  explicit group_mode(group_mode_setting setting = group_mode_setting::whole)
      : setting_(setting), halves_(setting == group_mode_setting::halves) {}

  // An append admitted: `inflight` appends are now admitted and not yet durable.
  void admitted(clock::time_point now, std::uint64_t inflight);
  // `count` appends answered, whose group kept the disk busy `disk_us` in all.
  void answered(clock::time_point now, std::uint64_t count, std::uint64_t disk_us);

  bool halves() const { return halves_; }
  // Half groups: the appends after which the WAL writer syncs (half the appends in a cycle),
  // and the most one hand-over carries (a quarter: two hand-overs a group). 0 / unlimited with
  // whole groups.
  std::uint64_t group_appends() const;
  std::uint64_t handover_appends() const;

  double appends_in_cycle() const { return appends_in_cycle_; }  // N, a moving average
  // D of whole groups (with group-commit-mode=halves, of the half groups: the only ones run)
  double disk_us() const { return whole_disk_us_; }
  double round_trip_us() const;                                  // C of whole groups

 private:
  struct probe {
    clock::time_point since;
    std::uint64_t base;    // admissions counted when answered
    std::uint64_t target;  // admissions that bring every answered requester back
    bool measures;         // answered from a settled run of whole groups
  };
  void decide(clock::time_point now);
  void switch_to(bool halves, clock::time_point now);

  group_mode_setting setting_;
  bool halves_;
  std::uint64_t peak_ = 0;  // the most in flight since appends came in after an answer
  bool peak_restarts_ = false;
  double appends_in_cycle_ = 0;
  // Automatic: measured with whole groups only (half groups come back faster per append, so
  // the same measurement there would argue for leaving them); half groups go back to whole
  // ones now and then to measure again.
  std::uint64_t admissions_ = 0;
  std::deque<probe> probes_;
  double turnaround_us_ = 0;       // decaying sums: how long answered requesters took to
  double turnaround_appends_ = 0;  // come back, and how many they were
  double measured_appends_ = 0;    // since whole groups (re)started
  double whole_disk_us_ = 0;
  double half_disk_us_ = 0;
  clock::time_point since_{};      // the mode last changed
};

}  // namespace raftvault::actors
