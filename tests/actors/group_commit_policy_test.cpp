// group_commit_policy: one case per transition between its phases (idle, gathering, written,
// lingering, syncing), the group's size rules and the steps after a group's fdatasync. Pure:
// the events are fed by hand, as the WAL writer would report them.
#include <catch2/catch.hpp>

#include <chrono>

#include "actors/group_commit_policy.h"

using raftvault::actors::after_sync;
using raftvault::actors::commit_step;
using raftvault::actors::group_commit_policy;
using raftvault::actors::handover_hints;
using raftvault::actors::kIdleZeroBytes;
using raftvault::actors::sync_report;
using phase = group_commit_policy::phase;
using kind = commit_step::kind;
using std::chrono::microseconds;

namespace {

constexpr microseconds kMaxLinger{500};

sync_report took(std::uint64_t sync_us, std::uint64_t idle_us = 0) {
  sync_report report;
  report.sync_us = sync_us;
  report.idle_us = idle_us;
  return report;
}

// The writer's side of a sync step: what it writes first, then the fdatasync's report.
after_sync sync_now(group_commit_policy& policy, const sync_report& report, bool whole = false) {
  policy.sync_begins(whole);
  return policy.synced(report);
}

// One whole group of `appends` single-append requests, from idle to answered: their flush,
// one write, the look again, the fdatasync (taking `sync_us`), and the marker when one is sent.
void one_group(group_commit_policy& policy, std::size_t appends, std::uint64_t sync_us) {
  commit_step step;
  for (std::size_t i = 0; i < appends; ++i) {
    const auto s = policy.appended(1, 100, {});
    if (s.what != kind::wait) step = s;  // a linger may be cut short by a flush
  }
  step = policy.flush_due(step.ticket);
  REQUIRE(step.what == kind::write);
  step = policy.written(step.requests);
  REQUIRE(step.what == kind::flush);
  REQUIRE(policy.flush_due(step.ticket).what == kind::sync);
  if (sync_now(policy, took(sync_us)).send_marker) policy.marker();
  REQUIRE(policy.current() == phase::idle);
}

// After a first group of one (the fdatasync's time known), a request announcing `behind`
// batches is written: returns the look-again flush.
commit_step written_with_behind(group_commit_policy& policy, std::uint64_t behind) {
  one_group(policy, 1, 400);
  const auto write = policy.flush_due(policy.appended(1, 100, {behind, 0, 0}).ticket);
  REQUIRE(write.what == kind::write);
  return policy.written(write.requests);
}

}  // namespace

TEST_CASE("group commit: an append to an idle writer is flushed behind the mailbox",
          "[actors][group_commit]") {
  group_commit_policy policy(kMaxLinger, 0);
  CHECK(policy.current() == phase::idle);
  const auto step = policy.appended(1, 100, {});
  CHECK(step.what == kind::flush);
  CHECK(policy.current() == phase::gathering);
  // More appends while the flush is on its way join it: nothing new to do.
  CHECK(policy.appended(2, 200, {}).what == kind::wait);
  CHECK(policy.gathered_appends() == 3);
}

TEST_CASE("group commit: gathering -> written: the flush writes all gathered, then looks again",
          "[actors][group_commit]") {
  group_commit_policy policy(kMaxLinger, 0);
  const auto flush = policy.appended(1, 100, {});
  policy.appended(1, 100, {});
  const auto write = policy.flush_due(flush.ticket);
  CHECK(write.what == kind::write);
  CHECK(write.requests == 2);
  const auto again = policy.written(write.requests);
  CHECK(again.what == kind::flush);
  CHECK(again.ticket != flush.ticket);
  CHECK(policy.current() == phase::written);
  CHECK(policy.written_appends() == 2);
  CHECK(policy.gathered_appends() == 0);
}

TEST_CASE("group commit: written -> written: appends that arrived during the write join the group",
          "[actors][group_commit]") {
  group_commit_policy policy(kMaxLinger, 0);
  auto step = policy.flush_due(policy.appended(1, 100, {}).ticket);
  step = policy.written(step.requests);
  CHECK(policy.appended(1, 100, {}).what == kind::wait);  // the look-again flush takes it
  step = policy.flush_due(step.ticket);
  CHECK(step.what == kind::write);
  CHECK(step.requests == 1);
  CHECK(policy.written(step.requests).what == kind::flush);
  CHECK(policy.written_appends() == 2);
}

TEST_CASE("group commit: written -> idle: nothing new, the group syncs", "[actors][group_commit]") {
  group_commit_policy policy(microseconds(0), 0);  // no linger: no marker either
  auto step = policy.flush_due(policy.appended(3, 300, {}).ticket);
  step = policy.written(step.requests);
  CHECK(policy.flush_due(step.ticket).what == kind::sync);
  CHECK(policy.sync_begins(false) == 0);  // everything is written already
  const auto after = policy.synced(took(400));
  CHECK_FALSE(after.send_marker);
  CHECK(after.next.what == kind::wait);
  CHECK(policy.current() == phase::idle);
  CHECK(policy.expected_group() == 3);
  CHECK(policy.sync_ewma_us() == Approx(400));
}

TEST_CASE("group commit: written -> syncing: with linger the marker goes out before the answers",
          "[actors][group_commit]") {
  group_commit_policy policy(kMaxLinger, 0);
  auto step = policy.flush_due(policy.appended(2, 200, {}).ticket);
  step = policy.written(step.requests);
  REQUIRE(policy.flush_due(step.ticket).what == kind::sync);
  const auto after = sync_now(policy, took(400));
  CHECK(after.send_marker);
  CHECK(policy.current() == phase::syncing);
  CHECK(policy.expected_group() == 2);
}

TEST_CASE("group commit: syncing -> idle: appends before the marker raise the expected group",
          "[actors][group_commit]") {
  group_commit_policy policy(kMaxLinger, 0);
  one_group(policy, 2, 400);  // expected: 2
  auto step = policy.flush_due(policy.appended(1, 100, {}).ticket);
  step = policy.written(step.requests);
  policy.flush_due(step.ticket);
  REQUIRE(sync_now(policy, took(400)).send_marker);
  // Arrived during the fdatasync: counted, not written, until the marker is back.
  CHECK(policy.appended(1, 100, {}).what == kind::wait);
  CHECK(policy.appended(1, 100, {}).what == kind::wait);
  CHECK(policy.current() == phase::syncing);
  // 1 answered + 2 that arrived meanwhile; 2 gathered are short of 3: linger for the third.
  const auto after_marker = policy.marker();
  CHECK(policy.expected_group() == 3);
  CHECK(after_marker.what == kind::linger);
  CHECK(policy.current() == phase::lingering);
}

TEST_CASE("group commit: syncing: only the newest of two markers schedules", "[actors][group_commit]") {
  group_commit_policy policy(kMaxLinger, 0);
  auto step = policy.flush_due(policy.appended(1, 100, {}).ticket);
  policy.written(step.requests);
  REQUIRE(sync_now(policy, took(400)).send_marker);
  policy.appended(1, 100, {});
  // The storage's cancelled batches sync again before the first marker is back.
  CHECK(policy.behind_cancelled().what == kind::sync);
  REQUIRE(sync_now(policy, took(400)).send_marker);
  policy.appended(1, 100, {});
  CHECK(policy.marker().what == kind::wait);
  CHECK(policy.current() == phase::syncing);
  // 1 answered by the second fdatasync + 1 that arrived during it; 1 gathered: linger.
  CHECK(policy.marker().what == kind::linger);
  CHECK(policy.expected_group() == 2);
  CHECK(policy.current() == phase::lingering);
}

TEST_CASE("group commit: idle -> lingering: a first write short of the expected group waits",
          "[actors][group_commit]") {
  group_commit_policy policy(kMaxLinger, 0);
  one_group(policy, 4, 400);
  const auto step = policy.appended(1, 100, {});
  CHECK(step.what == kind::linger);
  CHECK(step.delay == microseconds(200));  // half an average fdatasync, below max_linger
  CHECK(policy.current() == phase::lingering);
  CHECK(policy.linger_for() == microseconds(200));
}

TEST_CASE("group commit: a linger lasts at most max_linger", "[actors][group_commit]") {
  group_commit_policy policy(kMaxLinger, 0);
  one_group(policy, 4, 4000);
  CHECK(policy.appended(1, 100, {}).delay == kMaxLinger);
}

TEST_CASE("group commit: a lone requester and a full group never linger", "[actors][group_commit]") {
  group_commit_policy lone(kMaxLinger, 0);
  one_group(lone, 1, 400);
  CHECK(lone.appended(1, 100, {}).what == kind::flush);

  group_commit_policy full(kMaxLinger, 1000);
  one_group(full, 4, 400);
  CHECK(full.appended(1, 1000, {}).what == kind::flush);  // a group's worth of bytes

  group_commit_policy unmeasured(kMaxLinger, 0);  // no fdatasync timed: nothing to save
  one_group(unmeasured, 4, 0);
  CHECK(unmeasured.appended(1, 100, {}).what == kind::flush);
}

TEST_CASE("group commit: lingering -> gathering: the expected requesters arrived",
          "[actors][group_commit]") {
  group_commit_policy policy(kMaxLinger, 0);
  one_group(policy, 2, 400);
  const auto linger = policy.appended(1, 100, {});
  REQUIRE(linger.what == kind::linger);
  const auto flush = policy.appended(1, 100, {});
  CHECK(flush.what == kind::flush);
  CHECK(policy.current() == phase::gathering);
  CHECK(policy.flush_due(linger.ticket).what == kind::wait);  // the timer is stale now
  CHECK(policy.flush_due(flush.ticket).what == kind::write);
}

TEST_CASE("group commit: lingering -> gathering: a batch announced behind ends the wait",
          "[actors][group_commit]") {
  group_commit_policy policy(kMaxLinger, 0);
  one_group(policy, 4, 400);
  REQUIRE(policy.appended(1, 100, {}).what == kind::linger);
  CHECK(policy.appended(1, 100, {1, 0, 0}).what == kind::flush);
}

TEST_CASE("group commit: lingering -> written: the linger expired, the short group is written",
          "[actors][group_commit]") {
  group_commit_policy policy(kMaxLinger, 0);
  one_group(policy, 4, 400);
  const auto linger = policy.appended(1, 100, {});
  const auto write = policy.flush_due(linger.ticket);
  CHECK(write.what == kind::write);
  CHECK(write.requests == 1);
  CHECK(policy.written(write.requests).what == kind::flush);
  CHECK(policy.current() == phase::written);
}

TEST_CASE("group commit: written -> lingering once for a batch announced behind",
          "[actors][group_commit]") {
  group_commit_policy policy(kMaxLinger, 0);
  const auto wait = policy.flush_due(written_with_behind(policy, 2).ticket);
  CHECK(wait.what == kind::linger);
  CHECK(wait.delay == microseconds(200));
  CHECK(policy.current() == phase::lingering);
  // It did not come in time: sync what was written, no second wait.
  CHECK(policy.flush_due(wait.ticket).what == kind::sync);
}

TEST_CASE("group commit: lingering for a batch behind -> written: it arrived", "[actors][group_commit]") {
  group_commit_policy policy(kMaxLinger, 0);
  const auto wait = policy.flush_due(written_with_behind(policy, 2).ticket);
  REQUIRE(wait.what == kind::linger);
  const auto flush = policy.appended(1, 100, {1, 0, 0});
  CHECK(flush.what == kind::flush);
  CHECK(policy.current() == phase::written);
  const auto write = policy.flush_due(flush.ticket);
  CHECK(write.what == kind::write);
  // Written again: the next batch behind is worth another wait.
  CHECK(policy.flush_due(policy.written(write.requests).ticket).what == kind::linger);
}

TEST_CASE("group commit: a cancelled batch behind syncs unless a flush is on its way",
          "[actors][group_commit]") {
  group_commit_policy policy(kMaxLinger, 0);
  const auto step = written_with_behind(policy, 1);
  CHECK(policy.behind_cancelled().what == kind::wait);  // written: that flush syncs
  const auto wait = policy.flush_due(step.ticket);
  CHECK(wait.what == kind::sync);  // nothing behind any more: no linger
  group_commit_policy lingering(kMaxLinger, 0);
  REQUIRE(lingering.flush_due(written_with_behind(lingering, 1).ticket).what == kind::linger);
  CHECK(lingering.behind_cancelled().what == kind::sync);
}

TEST_CASE("group commit: a group that has written group_bytes syncs, the rest starts the next one",
          "[actors][group_commit]") {
  group_commit_policy policy(microseconds(0), 1000);
  const auto flush = policy.appended(1, 1000, {});
  policy.appended(1, 1000, {});
  const auto write = policy.flush_due(flush.ticket);
  CHECK(write.requests == 1);  // the first fills the group
  CHECK(policy.written(write.requests).what == kind::sync);
  CHECK(policy.sync_begins(false) == 0);
  const auto after = policy.synced(took(400));
  CHECK(after.next.what == kind::flush);  // the second one's group
  CHECK(policy.current() == phase::gathering);
}

TEST_CASE("group commit: a group may grow to half the bytes in flight", "[actors][group_commit]") {
  group_commit_policy policy(microseconds(0), 1000);
  const handover_hints four_in_flight{0, 4000, 0};
  const auto flush = policy.appended(1, 1000, four_in_flight);
  policy.appended(1, 1000, four_in_flight);
  policy.appended(1, 1000, four_in_flight);
  const auto write = policy.flush_due(flush.ticket);
  CHECK(write.requests == 2);
  CHECK(policy.written(write.requests).what == kind::sync);
  CHECK(policy.sync_begins(true) == 1);  // whole (snapshot record, close): everything gathered
}

TEST_CASE("group commit: half groups sync at the storage's group size and never linger",
          "[actors][group_commit]") {
  group_commit_policy policy(kMaxLinger, 0);
  one_group(policy, 4, 400);
  const handover_hints halves{0, 0, 2};
  const auto flush = policy.appended(1, 100, halves);
  CHECK(flush.what == kind::flush);  // short of the expected 4, but half groups do not wait
  CHECK(policy.linger_for() == microseconds(0));
  policy.appended(1, 100, halves);
  policy.appended(1, 100, halves);
  const auto write = policy.flush_due(flush.ticket);
  CHECK(write.requests == 2);
  CHECK(policy.written(write.requests).what == kind::sync);
}

TEST_CASE("group commit: a stale flush is ignored", "[actors][group_commit]") {
  group_commit_policy policy(kMaxLinger, 0);
  const auto flush = policy.appended(1, 100, {});
  CHECK(policy.flush_due(flush.ticket + 1).what == kind::wait);
  CHECK(policy.current() == phase::gathering);
  CHECK(policy.flush_due(flush.ticket).what == kind::write);
}

TEST_CASE("group commit: a snapshot record syncs an empty group without sampling an fdatasync",
          "[actors][group_commit]") {
  group_commit_policy policy(kMaxLinger, 0);
  one_group(policy, 1, 400);
  auto report = took(9000, 100);
  report.record = true;
  const auto after = sync_now(policy, report, true);
  CHECK_FALSE(after.send_marker);  // nobody answered: no requesters expected back
  CHECK(policy.sync_ewma_us() == Approx(400));
  CHECK(policy.idle_ewma_us() == Approx(100));  // the first sample (the group's idle was 0)
  CHECK(policy.current() == phase::idle);
}

TEST_CASE("group commit: zeros ahead after a small whole group when the disk idled",
          "[actors][group_commit]") {
  group_commit_policy policy(microseconds(0), 0);
  auto idle_group = [&](const handover_hints& hints) {
    auto step = policy.flush_due(policy.appended(1, 4000, hints).ticket);
    policy.written(step.requests);
    auto report = took(100, 1000);
    report.direct = true;
    return sync_now(policy, report).zero_ahead_bytes;
  };
  CHECK(idle_group({}) == kIdleZeroBytes);
  CHECK(idle_group({0, 0, 2}) == 0);  // half groups keep the disk busy
}
