// group_mode: the appends in a cycle (N) from the peaks before answers, the half-group sizes
// derived from it, and the automatic choice (on a simulated clock).
#include <catch2/catch.hpp>

#include <cstdint>

#include "actors/group_mode.h"

using raftvault::actors::group_mode;
using raftvault::actors::group_mode_setting;

namespace {

// One closed-loop cycle of `n` requesters answered in `answers` back-to-back replies: they all
// append (in flight 1..n), then the group is answered.
void cycle(group_mode& mode, std::uint64_t n, std::uint64_t answers, std::uint64_t disk_us) {
  const group_mode::clock::time_point t{};
  for (std::uint64_t i = 1; i <= n; ++i) mode.admitted(i);
  for (std::uint64_t a = 0; a < answers; ++a) mode.answered(t, n / answers, disk_us, 0);
}

// A closed loop of `n` requesters on a simulated clock: a group of all of them is answered
// (disk time `d_us`, after the disk sat idle `c_us`: their round trip), they come back one by
// one over `c_us`, and the next group is answered `d_us` later. Returns the time after
// `cycles` cycles.
using clock_point = group_mode::clock::time_point;
clock_point closed_loop(group_mode& mode, clock_point t, std::uint64_t n, double c_us, double d_us,
                        int cycles) {
  const auto us = [](double v) {
    return std::chrono::duration_cast<group_mode::clock::duration>(std::chrono::duration<double, std::micro>(v));
  };
  for (int k = 0; k < cycles; ++k) {
    mode.answered(t, n, static_cast<std::uint64_t>(d_us), static_cast<std::uint64_t>(c_us));
    for (std::uint64_t i = 1; i <= n; ++i) mode.admitted(i);
    t += us(c_us + d_us);
  }
  return t;
}

}  // namespace

TEST_CASE("group mode: whole groups never cap a group or split a hand-over", "[actors][group]") {
  group_mode mode;
  for (int i = 0; i < 20; ++i) cycle(mode, 64, 2, 150);
  CHECK_FALSE(mode.halves());
  CHECK(mode.group_appends() == 0);
  CHECK(mode.handover_appends() == UINT64_MAX);
  CHECK(mode.appends_in_cycle() == Approx(64));
  CHECK(mode.disk_us() == Approx(150));
}

TEST_CASE("group mode: half groups take half the requesters, hand-overs a quarter", "[actors][group]") {
  group_mode mode(group_mode_setting::halves);
  CHECK(mode.halves());
  CHECK(mode.group_appends() == 1);  // nothing measured yet: one append at a time
  // Answers of one group share the peak before them (64), not what is left after each.
  for (int i = 0; i < 30; ++i) cycle(mode, 64, 4, 150);
  CHECK(mode.appends_in_cycle() == Approx(64).epsilon(0.01));
  CHECK(mode.group_appends() == 32);
  CHECK(mode.handover_appends() == 16);
  // The load shrinks to 8 requesters: the sizes follow.
  for (int i = 0; i < 40; ++i) cycle(mode, 8, 1, 150);
  CHECK(mode.group_appends() == 4);
  CHECK(mode.handover_appends() == 2);
  // A lone requester: groups of one.
  for (int i = 0; i < 40; ++i) cycle(mode, 1, 1, 150);
  CHECK(mode.group_appends() == 1);
  CHECK(mode.handover_appends() == 1);
}

TEST_CASE("group mode auto: half groups once the appends' round trip outlasts a group's disk time",
          "[actors][group]") {
  group_mode mode(group_mode_setting::automatic);
  CHECK_FALSE(mode.halves());
  // 64 requesters, C = 250 us, D = 150 us: halves pay.
  auto t = closed_loop(mode, clock_point{} + std::chrono::seconds(1), 64, 250, 150, 60);
  CHECK(mode.halves());
  CHECK(mode.round_trip_us() == Approx(250).epsilon(0.05));
  CHECK(mode.disk_us() == Approx(150));
  CHECK(mode.group_appends() == 32);
  // Two seconds on, half groups return to whole ones to measure again, and come back.
  t = closed_loop(mode, t, 64, 250, 150, 5000);
  mode.answered(t, 64, 150, 250);
  bool went_whole = !mode.halves();
  for (int i = 0; i < 20000 && !went_whole; ++i) {
    t = closed_loop(mode, t, 64, 250, 150, 1);
    went_whole = !mode.halves();
  }
  CHECK(went_whole);
  closed_loop(mode, t, 64, 250, 150, 60);
  CHECK(mode.halves());
}

TEST_CASE("group mode auto: whole groups while the disk time outlasts the round trip",
          "[actors][group]") {
  group_mode mode(group_mode_setting::automatic);
  // 16 requesters, C = 60 us, D = 150 us.
  auto t = closed_loop(mode, clock_point{} + std::chrono::seconds(1), 16, 60, 150, 200);
  CHECK_FALSE(mode.halves());
  CHECK(mode.group_appends() == 0);
  // 64 requesters but a 1 ms fdatasync.
  closed_loop(mode, t, 64, 250, 1000, 200);
  CHECK_FALSE(mode.halves());
  // Below 8 in flight, never.
  group_mode few(group_mode_setting::automatic);
  closed_loop(few, clock_point{} + std::chrono::seconds(1), 4, 1000, 100, 200);
  CHECK_FALSE(few.halves());
}

TEST_CASE("group mode auto: half groups whose disk time doubles go back to whole ones at once",
          "[actors][group]") {
  group_mode mode(group_mode_setting::automatic);
  auto t = closed_loop(mode, clock_point{} + std::chrono::seconds(1), 64, 250, 150, 60);
  REQUIRE(mode.halves());
  t = closed_loop(mode, t, 64, 250, 150, 10);  // settled half groups
  REQUIRE(mode.halves());
  closed_loop(mode, t, 64, 250, 400, 10);  // the disk slows down: 400 > 2 x 150
  CHECK_FALSE(mode.halves());
}

TEST_CASE("group mode auto: a quiet spell before a group is not a round trip", "[actors][group]") {
  group_mode mode(group_mode_setting::automatic);
  // 64 requesters, C = 100 us, D = 150 us: whole groups; every 50th group follows a second
  // without appends (its idle time is the pause, not the appends' round trip).
  auto t = clock_point{} + std::chrono::seconds(1);
  bool went_halves = false;
  for (int k = 0; k < 40 && !went_halves; ++k) {
    t = closed_loop(mode, t, 64, 100, 150, 49);
    t += std::chrono::seconds(1);
    mode.answered(t, 64, 150, 1000000);
    went_halves = mode.halves();
    t = closed_loop(mode, t, 64, 100, 150, 8);
    went_halves = went_halves || mode.halves();
  }
  CHECK_FALSE(went_halves);
  CHECK(mode.round_trip_us() < 150);
}
