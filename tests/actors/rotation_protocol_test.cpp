// The DEK rotation protocol's message order (docs/design.md, "DEK rotation protocol"), driven by
// hand on CAF's deterministic test coordinator: every actor of the pipeline runs on the test's
// thread (pipeline_options.detach_io = false), a message is processed only when the test runs the
// scheduler, and the rotation-retry timer fires only when the test dispatches it. Files, keys,
// fsyncs and crypto are real.
#include "rotation_fixture.h"

using namespace raftvault;
using namespace raftvault::actors;
using namespace raftvault::actors::rotation_fixture;

TEST_CASE("rotation protocol: the barrier splits C from P, the snapshot is durable before retire",
          "[actors][rotation][protocol]") {
  coordinated_pipeline p;
  auto first = p.append(1, 10);
  p.sched->run();
  CHECK(value_of(first) == 10);

  // Queued together before anything runs: an append, the rotation request, another append.
  // Both appends reach the storage before the rotator's switch, so both are sealed with C.
  std::uint64_t wal_last_when_asked = 0;
  p.provider->on_ask = [&](std::uint64_t) {
    auto contents = raftlog::read_wal(p.wal_dir(), snapshot_marker{});
    REQUIRE(contents);
    wal_last_when_asked = contents->entries.back().index;
  };
  auto before = p.append(11, 5);
  auto rotation = p.rotate();
  auto racing = p.append(16, 5);
  p.sched->run();
  CHECK(value_of(before) >= 15);  // the last durable index: both may share one group
  CHECK(value_of(racing) == 20);
  // The rotation now waits for the provider (holding the request): asked once, for
  // max(last_old, snapshot index + 1) = 20, and only after everything sealed with C was in the WAL.
  CHECK_FALSE(*rotation);
  CHECK(p.provider->asked == std::vector<std::uint64_t>{20});
  CHECK(wal_last_when_asked == 20);
  auto keys = p.keys_on_disk();
  CHECK(keys.current == 1);
  CHECK(keys.pending == 2);
  auto st = p.status();
  CHECK(st.rotation_state == "{C,P}");
  CHECK(st.sealing_generation == 2);
  CHECK(st.key_generations == std::vector<std::uint32_t>{1, 2});

  // Appends keep flowing while the provider is late; they are sealed with P.
  auto after = p.append(21, 5);
  p.sched->run();
  CHECK(value_of(after) == 25);
  CHECK_FALSE(*rotation);

  // The late answer, at exactly the minimum index. One job at a time: the key file must keep
  // {C,P} until the .snap file and its WAL record (with a covering hard state) are written.
  p.answer_held(20);
  bool retired = false;
  std::size_t steps = 0;
  while (p.sched->try_run_once()) {
    ++steps;
    keys = p.keys_on_disk();
    if (keys.pending == 0) {
      CHECK(keys.current == 2);
      if (!retired) CHECK(p.snapshot_recorded(20));
      retired = true;
    } else {
      CHECK(keys.current == 1);
      CHECK_FALSE(retired);
    }
  }
  CHECK(retired);
  CHECK(steps > 3);
  auto report = value_of(rotation);
  CHECK(report.old_id == 1);
  CHECK(report.new_id == 2);
  CHECK(report.last_old == 20);
  CHECK(report.snapshot_index == 20);
  st = p.status();
  CHECK(st.rotation_state == "{C}");
  CHECK(st.key_generations == std::vector<std::uint32_t>{2});

  p.close();
  // Log order is acceptance order, and each record carries the key in force at acceptance.
  auto sealed_with = p.sealing_keys_in_wal();
  REQUIRE(sealed_with.size() == 25);
  for (const auto& [index, key_id] : sealed_with) {
    INFO("entry " << index);
    CHECK(key_id == (index <= 20 ? 1u : 2u));
  }
}

TEST_CASE("rotation protocol: with nothing appended since the last snapshot the forced one is newer",
          "[actors][rotation][protocol]") {
  coordinated_pipeline p(64 << 10);  // sealed inline
  auto appended = p.append(1, 10);
  auto saved = p.ask<std::uint64_t>(snapshot_atom::value, provider_control::at(10));
  p.sched->run();
  CHECK(value_of(appended) == 10);
  CHECK(value_of(saved) == 10);
  auto rotation = p.rotate();
  p.sched->run();
  // last_old = 10 = the snapshot index: the forced snapshot must be at >= 11.
  CHECK(p.provider->asked == std::vector<std::uint64_t>{11});
  auto next = p.append(11, 1);
  p.sched->run();
  CHECK(value_of(next) == 11);
  p.answer_held(11);
  p.sched->run();
  auto report = value_of(rotation);
  CHECK(report.last_old == 10);
  CHECK(report.snapshot_index == 11);
  // The C-sealed snapshot at 10 was deleted by the retire; only P's remains.
  auto names = raftlog::snapshotter(p.snap_dir()).list();
  REQUIRE(names);
  CHECK(*names == std::vector<std::string>{raftlog::snapshotter::file_name({11, 1})});
}

TEST_CASE("rotation protocol: requests during a rotation coalesce into exactly one more",
          "[actors][rotation][protocol]") {
  coordinated_pipeline p;
  auto appended = p.append(1, 10);
  auto first = p.rotate();
  p.sched->run();
  CHECK(value_of(appended) == 10);
  REQUIRE(p.provider->held.size() == 1);

  std::vector<coordinated_pipeline::slot<rotation_report>> coalesced;
  for (int i = 0; i < 3; ++i) coalesced.push_back(p.rotate());
  p.sched->run();
  for (const auto& r : coalesced) CHECK_FALSE(*r);
  auto keys = p.keys_on_disk();
  CHECK(keys.current == 1);
  CHECK(keys.pending == 2);
  CHECK(keys.needs_rotation);  // F persisted: survives a crash
  CHECK(p.status().rotation_state == "{C,P,F}");

  auto more = p.append(11, 5);
  p.sched->run();
  CHECK(value_of(more) == 15);
  p.answer_held(10);
  p.sched->run();
  auto report = value_of(first);
  CHECK(report.old_id == 1);
  CHECK(report.new_id == 2);
  // The first one's end started the second at once: its forced snapshot is asked for.
  for (const auto& r : coalesced) CHECK_FALSE(*r);
  CHECK(p.provider->asked == std::vector<std::uint64_t>{10, 15});
  REQUIRE(p.provider->held.size() == 1);
  keys = p.keys_on_disk();
  CHECK(keys.current == 2);
  CHECK(keys.pending == 3);
  CHECK_FALSE(keys.needs_rotation);

  p.answer_held(15);
  p.sched->run();
  for (const auto& r : coalesced) {
    auto second = value_of(r);
    CHECK(second.old_id == 2);
    CHECK(second.new_id == 3);
    CHECK(second.last_old == 15);
    CHECK(second.snapshot_index == 15);
  }
  // Four requests, two rotations: generations advanced by exactly 2, nothing more pending.
  CHECK(p.provider->asked.size() == 2);
  keys = p.keys_on_disk();
  CHECK(keys.current == 3);
  CHECK(keys.pending == 0);
  CHECK_FALSE(keys.needs_rotation);
  CHECK_FALSE(p.sched->has_pending_timeout());
  CHECK(p.status().rotation_state == "{C}");
}

TEST_CASE("rotation protocol: a failing provider leaves the rotation pending until the retry timer",
          "[actors][rotation][protocol]") {
  struct failing_case {
    const char* what;
    provider_control::mode mode;
    const char* message;
  };
  const std::vector<failing_case> cases = {
      {"provider error", provider_control::mode::fail,
       "snapshot provider failed: test provider: state machine unavailable"},
      {"snapshot too old", provider_control::mode::answer_too_old,
       "the snapshot provider answered with index 9, need >= 10"},
  };
  for (const auto& c : cases) {
    DYNAMIC_SECTION(c.what) {
      coordinated_pipeline p;
      auto appended = p.append(1, 10);
      p.sched->run();
      CHECK(value_of(appended) == 10);
      p.provider->next = c.mode;
      auto rotation = p.rotate();
      p.sched->run();
      REQUIRE(*rotation);
      REQUIRE_FALSE(**rotation);
      CHECK_THAT((**rotation).error().message(), Catch::Contains("DEK rotation left pending, will retry"));
      CHECK_THAT((**rotation).error().message(), Catch::Contains(c.message));
      // Pending: both keys in the file and in use, nothing retired, no snapshot written.
      auto keys = p.keys_on_disk();
      CHECK(keys.current == 1);
      CHECK(keys.pending == 2);
      auto st = p.status();
      CHECK(st.rotation_state == "{C,P}");
      CHECK(st.key_generations == std::vector<std::uint32_t>{1, 2});
      CHECK(raftlog::snapshotter(p.snap_dir()).list()->empty());

      auto more = p.append(11, 2);
      p.sched->run();
      CHECK(value_of(more) == 12);
      CHECK(p.provider->asked == std::vector<std::uint64_t>{10});

      // The retry timer, dispatched by hand, resumes the rotation with no request from anyone.
      p.provider->next = provider_control::mode::answer;
      REQUIRE(p.sched->has_pending_timeout());
      CHECK(p.sched->trigger_timeouts() == 1);
      p.sched->run();
      CHECK(p.provider->asked == std::vector<std::uint64_t>{10, 12});
      keys = p.keys_on_disk();
      CHECK(keys.current == 2);
      CHECK(keys.pending == 0);
      st = p.status();
      CHECK(st.rotation_state == "{C}");
      CHECK(st.key_generations == std::vector<std::uint32_t>{2});
      CHECK_FALSE(p.sched->has_pending_timeout());
      p.close();
      auto sealed_with = p.sealing_keys_in_wal();
      REQUIRE(sealed_with.size() == 12);
      for (const auto& [index, key_id] : sealed_with) CHECK(key_id == (index <= 10 ? 1u : 2u));
    }
  }
}

TEST_CASE("rotation protocol: a store with nothing sealed under C retires without a snapshot",
          "[actors][rotation][protocol]") {
  coordinated_pipeline p;
  auto rotation = p.rotate();
  p.sched->run();
  auto report = value_of(rotation);
  CHECK(report.old_id == 1);
  CHECK(report.new_id == 2);
  CHECK(report.last_old == 0);
  CHECK(report.snapshot_index == 0);
  CHECK(p.provider->asked.empty());
  CHECK(p.keys_on_disk().current == 2);
}

TEST_CASE("rotation protocol: on the test coordinator a rotation keeps its step pauses, a timeout each",
          "[actors][rotation][protocol]") {
  coordinated_pipeline p(0, [](pipeline_options& options) { options.rotation_step_pause_us = 2000; });
  auto appended = p.append(1, 10);
  p.sched->run();
  CHECK(value_of(appended) == 10);
  p.provider->next = provider_control::mode::answer;
  auto rotation = p.rotate();
  p.sched->run();
  // F -> {C,P} -> barrier -> snapshot -> retire: each step waits for the pause's timeout.
  std::size_t pauses = 0;
  while (!*rotation && p.sched->has_pending_timeout()) {
    ++pauses;
    CHECK(p.sched->trigger_timeouts() == 1);
    p.sched->run();
  }
  CHECK(pauses == 4);
  REQUIRE(*rotation);
  CHECK(value_of(rotation).new_id == 2);
  CHECK(p.keys_on_disk().current == 2);
}
