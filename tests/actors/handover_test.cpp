// The storage's hand-over to the WAL writer, driven on CAF's test coordinator: appends that
// are in the storage's mailbox together cross to the WAL writer in one message (each message
// to the writer's thread may wake it), in acceptance order, and a message holds at most
// group-commit-bytes of batches. Files, fsyncs and crypto are real.
#include <catch2/catch.hpp>

#include <caf/scheduler/test_coordinator.hpp>

#include <map>

#include "actors/pipeline.h"
#include "coordinator_fixture.h"
#include "service_model.h"
#include "support/test_support.h"

using namespace raftvault;
using namespace raftvault::actors;
using raftvault::testing::make_entries;
using raftvault::testing::temp_dir;

namespace {

struct handover_run {
  std::vector<std::uint64_t> replies;  // durable index per append, in the order answered
  storage_status status;
  std::vector<entry> recovered;
};

// `appends` clients each append one entry of `size` bytes (indexes 1, 2, ...); all of them
// send before the storage runs, so their appends wait in its mailbox together.
handover_run append_together(std::size_t appends, std::size_t size, std::uint64_t group_bytes) {
  temp_dir dir;
  pipeline_options options;
  options.data_dir = dir / "store";
  options.create_if_missing = true;
  raftvault::testing::drive_on_coordinator(options);
  options.group_commit_bytes = group_bytes;
  handover_run out;
  {
    raftvault::testing::coordinator co;
    auto& system = *co.system;
    auto& sched = *co.sched;
    auto store = open_store(options);
    REQUIRE(store);
    auto storage = spawn_storage(system, options, std::move(*store));
    sched.run();
    auto replies = std::make_shared<std::vector<std::uint64_t>>();
    for (std::uint64_t index = 1; index <= appends; ++index) {
      system.spawn(
          [](caf::event_based_actor* self, storage_actor dest, std::uint64_t index,
             std::size_t size, std::shared_ptr<std::vector<std::uint64_t>> replies) {
            self->request(dest, caf::infinite, append_atom::value, hard_state{1, 1, index - 1},
                          make_entries(index, 1, 1, size))
                .then([replies](std::uint64_t last) { replies->push_back(last); });
          },
          storage, index, size, replies);
    }
    sched.run();
    out.replies = *replies;
    out.status = co.round_trip<storage_status>(storage, status_atom::value);
    CHECK(co.round_trip<bool>(storage, close_atom::value));
    storage = nullptr;
    sched.run();
  }
  auto reopened = open_store(options);
  REQUIRE(reopened);
  out.recovered = reopened->recovered.entries;
  return out;
}

}  // namespace

TEST_CASE("appends waiting in the storage's mailbox together reach the WAL writer in one message",
          "[actors][handover]") {
  const auto run = append_together(8, 100, 1 << 20);
  CHECK(run.status.wal_handovers == 1);
  CHECK(run.status.fsync_groups == 1);
  CHECK(run.status.durable_appends == 8);
  // Every append is answered once durable, with the durable last index.
  CHECK(run.replies == std::vector<std::uint64_t>(8, 8));
  REQUIRE(run.recovered.size() == 8);
  const auto sent = make_entries(1, 8, 1, 100);
  for (std::size_t i = 0; i < sent.size(); ++i) {
    CHECK(run.recovered[i].index == sent[i].index);
    CHECK(run.recovered[i].data == sent[i].data);
  }
}

TEST_CASE("a hand-over message holds at most group-commit-bytes of appends",
          "[actors][handover]") {
  // Each batch counts its data plus 32 bytes: 2 batches of 100 bytes fit in 264, 3 do not.
  const auto run = append_together(8, 100, 264);
  CHECK(run.status.wal_handovers == 4);
  CHECK(run.status.durable_appends == 8);
  CHECK(run.recovered.size() == 8);
  // Without a cap, one message again.
  CHECK(append_together(8, 100, 0).status.wal_handovers == 1);
}

TEST_CASE("a snapshot record never carries the commit of appends not yet handed to the WAL",
          "[actors][handover]") {
  // Batch B (entries 5..8, commit 8) is still being sealed on the pool when the snapshot at 4
  // is recorded: the hard state written with the record must not claim commit 8 before B's
  // entries are in the WAL (after a crash there, raft would find a commit beyond its log).
  temp_dir dir;
  pipeline_options options;
  options.data_dir = dir / "store";
  options.create_if_missing = true;
  raftvault::testing::drive_on_coordinator(options);
  options.crypto_inline_bytes = 0;  // every batch is sealed on the pool
  options.crypto_workers = 1;
  raftvault::testing::coordinator co;
  auto& system = *co.system;
  auto& sched = *co.sched;
  auto store = open_store(options);
  REQUIRE(store);
  const auto wal_dir = store->log->layout().wal_dir();
  auto storage = spawn_storage(system, options, std::move(*store));
  sched.run();
  auto ask = [&](auto... xs) {
    auto done = std::make_shared<bool>(false);
    system.spawn(
        [](caf::event_based_actor* self, storage_actor dest, std::shared_ptr<bool> done,
           decltype(xs)... ys) {
          self->request(dest, caf::infinite, ys...)
              .then([done](std::uint64_t) { *done = true; });
        },
        storage, done, xs...);
    return done;
  };
  auto first = ask(append_atom::value, hard_state{1, 1, 0}, make_entries(1, 4, 1, 100));
  sched.run();
  REQUIRE(*first);

  auto second = ask(append_atom::value, hard_state{1, 1, 8}, make_entries(5, 4, 1, 100));
  REQUIRE(sched.try_run_once());  // the client sends B
  REQUIRE(sched.try_run_once());  // the storage accepts B and sends it to the crypto worker
  REQUIRE(sched.jobs.size() == 1);  // the worker, not run yet
  auto snapped = ask(snapshot_atom::value, raftvault::testing::test_snapshot(4));
  // Run the newest job first: the snapshot's chain goes ahead, the crypto worker waits.
  while (!*snapped && sched.try_run_once_lifo()) {
  }
  REQUIRE(*snapped);
  REQUIRE_FALSE(*second);  // B is still on the pool
  auto on_disk = raftlog::read_wal(wal_dir, {4, 1});
  REQUIRE(on_disk);
  std::uint64_t last = 4;
  for (const auto& e : on_disk->entries) last = std::max(last, e.index);
  CHECK(on_disk->state.commit <= last);
  CHECK(on_disk->state.commit == 4);  // the snapshot's index, covered

  sched.run();
  CHECK(*second);
  auto closed = std::make_shared<bool>(false);
  system.spawn(
      [closed](caf::event_based_actor* self, storage_actor dest) {
        self->request(dest, caf::infinite, close_atom::value).then([closed](bool) { *closed = true; });
      },
      storage);
  sched.run();
  REQUIRE(*closed);
  storage = nullptr;
  sched.run();
  auto reopened = open_store(options);
  REQUIRE(reopened);
  CHECK(reopened->recovered.state.commit == 8);
  CHECK(reopened->recovered.entries.size() == 4);  // 5..8 after the snapshot at 4
}

TEST_CASE("a hard state handed to the WAL after a snapshot record never takes its commit back",
          "[actors][handover]") {
  // X (entries 41..50, commit 40) and Y (entries 51..60, commit 50) are accepted, then the
  // snapshot at 50 (the service applied 50 after Y's commit), while both are still on the pool.
  // The snapshot is recorded with a hard state covering 50 and releases the segments before
  // the one holding 50; X and Y reach the WAL afterwards, each in its own group. etcd's
  // restart only uses a snapshot record whose index is <= the last hard state's commit: if X's
  // group left commit 40 as the WAL's last hard state, a crash before Y's group would find no
  // usable snapshot and the released segments gone. At every step the files must open with
  // the snapshot and every acknowledged entry.
  temp_dir dir;
  pipeline_options options;
  options.data_dir = dir / "store";
  options.create_if_missing = true;
  raftvault::testing::drive_on_coordinator(options);
  options.segment_size = 64 << 10;  // several segments, so the snapshot releases some
  options.crypto_inline_bytes = 0;  // every batch is sealed on the pool
  options.crypto_workers = 1;
  options.group_commit_bytes = 16 << 10;  // X (40 KiB) fills a group: Y gets one of its own
  raftvault::testing::coordinator co;
  auto& system = *co.system;
  auto& sched = *co.sched;
  auto store = open_store(options);
  REQUIRE(store);
  const auto codec = store->log->codec();
  auto storage = spawn_storage(system, options, std::move(*store));
  sched.run();
  auto acked = std::make_shared<std::map<std::uint64_t, entry>>();
  auto append = [&](std::uint64_t commit, std::uint64_t first) {
    auto done = std::make_shared<bool>(false);
    system.spawn(
        [](caf::event_based_actor* self, storage_actor dest, std::shared_ptr<bool> done,
           std::shared_ptr<std::map<std::uint64_t, entry>> acked, std::uint64_t commit,
           std::uint64_t first) {
          auto batch = make_entries(first, 10, 1, 4096);
          self->request(dest, caf::infinite, append_atom::value, hard_state{1, 1, commit}, batch)
              .then([done, acked, batch](std::uint64_t) {
                for (const auto& e : batch) (*acked)[e.index] = e;
                *done = true;
              });
        },
        storage, done, acked, commit, first);
    return done;
  };
  for (std::uint64_t first = 1; first <= 31; first += 10) {
    auto done = append(first - 1, first);
    sched.run();
    REQUIRE(*done);
  }

  auto x = append(40, 41);
  auto y = append(50, 51);
  for (int i = 0; i < 4; ++i) REQUIRE(sched.try_run_once());  // both sent, both on the pool
  REQUIRE(sched.jobs.size() == 1);  // the crypto worker, not run yet
  auto snapped = std::make_shared<bool>(false);
  system.spawn(
      [snapped](caf::event_based_actor* self, storage_actor dest) {
        self->request(dest, caf::infinite, snapshot_atom::value, raftvault::testing::test_snapshot(50))
            .then([snapped](std::uint64_t) { *snapped = true; });
      },
      storage);
  // Run the newest job first: the snapshot's chain goes ahead, the crypto worker waits.
  while (!*snapped && sched.try_run_once_lifo()) {
  }
  REQUIRE(*snapped);
  REQUIRE_FALSE(*x);
  REQUIRE_FALSE(*y);

  // Now X and Y are sealed and written, one message at a time; after each, what a restart
  // would read from the files has the snapshot and every acknowledged entry.
  // (A group the WAL writer syncs at its cap is written and synced in one message: what the
  // files hold between two messages is what a crash there would leave.)
  auto restart_reads_everything = [&](std::size_t step) {
    INFO("step " << step << ", X acknowledged: " << *x << ", Y acknowledged: " << *y);
    auto found = raftlog::read_store(options.data_dir, codec);
    INFO((found ? std::string() : found.error().describe()));
    CHECK(found);
    if (!found) return false;
    CHECK(found->snap);
    if (!found->snap) return false;
    CHECK(found->snap->metadata.index == 50);
    CHECK(found->state.commit >= 50);
    std::map<std::uint64_t, entry> entries;
    for (const auto& e : found->entries) entries[e.index] = e;
    for (const auto& [index, e] : *acked) {
      if (index <= 50) continue;  // in the snapshot
      INFO("acknowledged entry " << index);
      CHECK(entries.count(index) == 1);
      if (entries.count(index) == 0) return false;
      CHECK(entries[index] == e);
    }
    return found->snap->metadata.index == 50;
  };
  std::size_t steps = 0;
  bool readable = restart_reads_everything(steps);
  while (readable && sched.try_run_once()) readable = restart_reads_everything(++steps);
  sched.run();
  CHECK(*x);
  CHECK(*y);
  REQUIRE(acked->size() == 60);

  auto closed = std::make_shared<bool>(false);
  system.spawn(
      [closed](caf::event_based_actor* self, storage_actor dest) {
        self->request(dest, caf::infinite, close_atom::value).then([closed](bool) { *closed = true; });
      },
      storage);
  sched.run();
  REQUIRE(*closed);
  storage = nullptr;
  sched.run();
  auto reopened = open_store(options);
  INFO((reopened ? std::string() : reopened.error().describe()));
  REQUIRE(reopened);
  REQUIRE(reopened->recovered.snap);
  CHECK(reopened->recovered.snap->metadata.index == 50);
  CHECK(reopened->recovered.entries.size() == 10);  // 51..60
}
