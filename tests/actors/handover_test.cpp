// The storage's hand-over to the WAL writer, driven on CAF's test coordinator: appends that
// are in the storage's mailbox together cross to the WAL writer in one message (each message
// to the writer's thread may wake it), in acceptance order, and a message holds at most
// group-commit-bytes of batches. Files, fsyncs and crypto are real.
#include <catch2/catch.hpp>

#include <caf/scheduler/test_coordinator.hpp>

#include "actors/pipeline.h"
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
  options.detach_io = false;
  options.group_commit_bytes = group_bytes;
  pipeline_config config;
  config.set("scheduler.policy", caf::atom("testing"));
  handover_run out;
  {
    caf::actor_system system{config};
    auto& sched = dynamic_cast<caf::scheduler::test_coordinator&>(system.scheduler());
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
    std::optional<storage_status> status;
    system.spawn(
        [&status](caf::event_based_actor* self, storage_actor dest) {
          self->request(dest, caf::infinite, status_atom::value)
              .then([&status](storage_status& st) { status = st; });
        },
        storage);
    sched.run();
    REQUIRE(status);
    out.status = *status;
    bool closed = false;
    system.spawn(
        [&closed](caf::event_based_actor* self, storage_actor dest) {
          self->request(dest, caf::infinite, close_atom::value).then([&closed](bool) { closed = true; });
        },
        storage);
    sched.run();
    REQUIRE(closed);
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
  options.detach_io = false;
  options.crypto_inline_bytes = 0;  // every batch is sealed on the pool
  options.crypto_workers = 1;
  pipeline_config config;
  config.set("scheduler.policy", caf::atom("testing"));
  caf::actor_system system{config};
  auto& sched = dynamic_cast<caf::scheduler::test_coordinator&>(system.scheduler());
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
