// The rotation protocol when things go wrong around it (docs/design.md, "DEK rotation protocol"),
// on the test coordinator of rotation_fixture.h: a storage that fail-stops with a rotation
// requested, a retire whose old files cannot be deleted, and raft rewrites that leave entries
// sealed with the old key in the WAL.
#include "rotation_fixture.h"

using namespace raftvault;
using namespace raftvault::actors;
using namespace raftvault::actors::rotation_fixture;

namespace {

// Faults are process-wide: clear them whatever way a test case ends.
struct clear_faults_at_exit {
  ~clear_faults_at_exit() { fileio::clear_faults(); }
};

}  // namespace

TEST_CASE("rotation protocol: a request coalesced into the next rotation is answered when the storage fail-stops",
          "[actors][rotation][protocol]") {
  clear_faults_at_exit guard;
  coordinated_pipeline p;
  auto appended = p.append(1, 10);
  auto first = p.rotate();
  p.sched->run();
  CHECK(value_of(appended) == 10);
  REQUIRE(p.provider->held.size() == 1);
  auto coalesced = p.rotate();  // F: served by the rotation after this one
  p.sched->run();
  CHECK_FALSE(*coalesced);

  // The disk fails while the provider is late: the storage fail-stops.
  fileio::inject_fault(fileio::op::fdatasync, 1, EIO, /*sticky=*/true);
  auto failed = p.append(11, 1);
  p.sched->run();
  REQUIRE(*failed);
  REQUIRE_FALSE(**failed);
  p.answer_held(10);
  p.sched->run();
  REQUIRE(*first);
  REQUIRE_FALSE(**first);
  // No rotation can run on a fail-stopped storage: every retry is refused at its barrier. The
  // coalesced requester must learn that too, not wait for a rotation that never comes.
  for (int retry = 0; retry < 3 && !*coalesced; ++retry) {
    REQUIRE(p.sched->has_pending_timeout());
    p.sched->trigger_timeouts();
    p.sched->run();
  }
  REQUIRE(*coalesced);
  REQUIRE_FALSE(**coalesced);
  CHECK_THAT((**coalesced).error().message(), Catch::Contains("DEK rotation left pending, will retry"));
  CHECK_THAT((**coalesced).error().message(), Catch::Contains(std::strerror(EIO)));
}

TEST_CASE("rotation protocol: after a retire whose old files could not be deleted the coalesced rotation runs",
          "[actors][rotation][protocol]") {
  clear_faults_at_exit guard;
  coordinated_pipeline p(64 << 10);  // sealed inline
  // A snapshot sealed with C, which the retire deletes.
  auto appended = p.append(1, 10);
  auto saved = p.ask<std::uint64_t>(snapshot_atom::value, provider_control::at(10));
  p.sched->run();
  CHECK(value_of(appended) == 10);
  CHECK(value_of(saved) == 10);
  auto first = p.rotate();
  p.sched->run();
  REQUIRE(p.provider->asked == std::vector<std::uint64_t>{11});
  auto coalesced = p.rotate();
  auto more = p.append(11, 1);
  p.sched->run();
  CHECK(value_of(more) == 11);
  CHECK_FALSE(*coalesced);
  CHECK(p.keys_on_disk().needs_rotation);

  // The forced snapshot is written; the retire persists {C := P}, then deleting the C-sealed
  // snapshot at 10 fails (the first unlink from here on).
  p.provider->next = provider_control::mode::answer;
  fileio::inject_fault(fileio::op::unlink, 1, EIO);
  p.answer_held(11);
  p.sched->run();
  REQUIRE(*first);
  REQUIRE_FALSE(**first);
  CHECK_THAT((**first).error().message(), Catch::Contains(std::strerror(EIO)));
  // The rotation itself is complete in the key file; F (the coalesced request) is still to do,
  // and its requester waits for it: the next rotation must run, not wait for another request.
  REQUIRE(*coalesced);
  auto second = value_of(coalesced);
  CHECK(second.old_id == 2);
  CHECK(second.new_id == 3);
  CHECK(p.provider->asked == std::vector<std::uint64_t>{11, 12});
  auto keys = p.keys_on_disk();
  CHECK(keys.current == 3);
  CHECK(keys.pending == 0);
  CHECK_FALSE(keys.needs_rotation);
}

// After a rewrite of 15..16 over 1..20 (sealed with C), a rotation asks for a snapshot at 20;
// the service catches up (17..20 again, sealed with P), the rotation retires C, and the store
// still opens at that snapshot.
void finish_after_rewrite(coordinated_pipeline& p, const coordinated_pipeline::slot<rotation_report>& rotation) {
  REQUIRE_FALSE(p.provider->asked.empty());
  CHECK(p.provider->asked.back() == 20);
  const auto asked = p.provider->asked.back();
  auto more = p.ask<std::uint64_t>(append_atom::value, hard_state{2, 1, asked},
                                   make_entries(17, asked - 16, 2, 100));
  p.sched->run();
  CHECK(value_of(more) == asked);
  p.provider->term = 2;  // the rewrite's term: raft's snapshot carries the log's term at its index
  p.answer_held(asked);
  p.sched->run();
  auto report = value_of(rotation);
  CHECK(report.last_old == 20);
  CHECK(report.snapshot_index == 20);
  p.close();
  auto reopened = open_store(p.options);
  INFO((reopened ? std::string() : reopened.error().describe()));
  REQUIRE(reopened);
  REQUIRE(reopened->recovered.snap);
  CHECK(reopened->recovered.snap->metadata.index == asked);
}

TEST_CASE("rotation protocol: entries a rewrite replaced under C do not outlive the retired key",
          "[actors][rotation][protocol]") {
  // 1..20 sealed with C, then a new leader's rewrite from 15 (15..16): the log ends at 16, but
  // the WAL still holds the replaced 17..20 (sealed with C) before the rewrite. A restart at a
  // snapshot below 20 reads them back (a replayed entry at or below the snapshot index is
  // skipped, so it truncates nothing, as in etcd) unless something later rewrote them: last_old
  // is the highest index written with C, 20, and the forced snapshot must reach it.
  coordinated_pipeline p(64 << 10);  // sealed inline
  auto appended = p.append(1, 20);
  p.sched->run();
  CHECK(value_of(appended) == 20);
  auto rewritten = p.ask<std::uint64_t>(append_atom::value, hard_state{2, 1, 16},
                                        make_entries(15, 2, 2, 100));
  p.sched->run();
  CHECK(value_of(rewritten) == 16);
  auto rotation = p.rotate();
  p.sched->run();
  CHECK(p.provider->asked == std::vector<std::uint64_t>{20});
  finish_after_rewrite(p, rotation);
}

TEST_CASE("rotation protocol: entries a rewrite replaced before a restart do not outlive the retired key",
          "[actors][rotation][protocol]") {
  // As above, but the rewrite happened in a previous run: the log reopens ending at 16, and
  // only the WAL's records still say that 17..20 were written with C.
  coordinated_pipeline p(64 << 10, [](const pipeline_options& options) {
    auto store = open_store(options);
    REQUIRE(store);
    REQUIRE(store->log->save(hard_state{1, 1, 14}, make_entries(1, 20, 1, 100)));
    REQUIRE(store->log->save(hard_state{2, 1, 16}, make_entries(15, 2, 2, 100)));
    REQUIRE(store->log->close());
  });
  auto rotation = p.rotate();
  p.sched->run();
  finish_after_rewrite(p, rotation);  // before: asked for 16, and the reopened store lost 17..20's key
}
