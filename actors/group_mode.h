// Whole or half groups: how the WAL writer's groups split the appends in flight
// (raftvault.group-commit-mode).
//
// Closed-loop requesters answered by one fdatasync come back together: the disk idles while
// their next appends cross the actors (C: the CPU round trip of all N appends in flight), and
// the CPUs idle while the group is written and synced (D: the disk time of one group). Whole
// groups give N / (D + C) appends per second; two alternating halves overlap one half's round
// trip with the other half's disk time, (N/2) / max(D, C/2): better exactly when C > D, as
// with many small producers on a fast disk; with few producers or a slow fdatasync whole groups
// win. Automatic (the default): whole groups measure D and C from the WAL writer's answers (C
// is the time the disk sat idle before each group: the whole round trip of the answered
// appends through the storage, the crypto pool and the writer, lingering included), and switch
// to half groups while C > 1.15 D; half groups return to whole ones every two seconds (or when
// their disk time doubles) to measure again. The price: half groups run the disk near its
// flush rate, two fdatasyncs a cycle, so an append meets twice the slow ones and the p99 rises. Automatic is the default because, where half
// groups win, the throughput they add is worth more than that p99, which stays within the
// pipeline's latency target (bench/README.md, target (a)).
#pragma once

#include <chrono>
#include <cstdint>

namespace raftvault::actors {

enum class group_mode_setting { whole, halves, automatic };

class group_mode {
 public:
  using clock = std::chrono::steady_clock;
  explicit group_mode(group_mode_setting setting = group_mode_setting::whole)
      : setting_(setting), halves_(setting == group_mode_setting::halves) {}

  // An append admitted: `inflight` appends are now admitted and not yet durable.
  void admitted(std::uint64_t inflight);
  // `count` appends answered, whose group kept the disk busy `disk_us` in all after it had
  // been idle `idle_us` since the previous group's fdatasync.
  void answered(clock::time_point now, std::uint64_t count, std::uint64_t disk_us,
                std::uint64_t idle_us);

  bool halves() const { return halves_; }
  // Half groups: the appends after which the WAL writer syncs (half the appends in a cycle),
  // and the most one hand-over carries (a quarter: two hand-overs a group). 0 / unlimited with
  // whole groups.
  std::uint64_t group_appends() const;
  std::uint64_t handover_appends() const;

  double appends_in_cycle() const { return appends_in_cycle_; }  // N, a moving average
  // D of whole groups (with group-commit-mode=halves, of the half groups: the only ones run)
  double disk_us() const { return whole_disk_us_; }
  double round_trip_us() const { return whole_idle_us_; }        // C of whole groups

 private:
  void decide(clock::time_point now);
  void switch_to(bool halves, clock::time_point now);

  group_mode_setting setting_;
  bool halves_;
  std::uint64_t peak_ = 0;  // the most in flight since appends came in after an answer
  bool peak_restarts_ = false;
  double appends_in_cycle_ = 0;
  // Automatic: C is measured with whole groups only (half groups keep the disk busy, so
  // their idle time says nothing about the round trip); half groups go back to whole ones now
  // and then to measure again.
  double measured_appends_ = 0;    // since whole groups (re)started
  double whole_idle_us_ = 0;
  double whole_disk_us_ = 0;
  double half_disk_us_ = 0;
  clock::time_point since_{};      // the mode last changed
};

}  // namespace raftvault::actors
