// group_mode: the appends in a cycle (N) from the peaks before answers, and the half-group
// sizes derived from it.
#include <catch2/catch.hpp>

#include <cstdint>

#include "actors/group_mode.h"

using raftvault::actors::group_mode;
using raftvault::actors::group_mode_setting;

namespace {

// One closed-loop cycle of `n` requesters answered in `answers` back-to-back replies: they all
// append (in flight 1..n), then the group is answered.
void cycle(group_mode& mode, std::uint64_t n, std::uint64_t answers, std::uint64_t disk_us) {
  for (std::uint64_t i = 1; i <= n; ++i) mode.admitted(i);
  for (std::uint64_t a = 0; a < answers; ++a) mode.answered(n / answers, disk_us);
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
