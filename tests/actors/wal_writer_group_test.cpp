// The WAL writer's group cap (group_bytes), driven message by message on CAF's test
// coordinator: an append that arrives while the group's first write runs joins that group,
// unless the group has already written group_bytes — then the group syncs and answers at once
// and the newcomer starts the next one.
#include <catch2/catch.hpp>

#include <caf/scheduler/test_coordinator.hpp>

#include "actors/config.h"
#include "actors/pipeline.h"
#include "actors/wal_writer.h"
#include "coordinator_fixture.h"
#include "wal_writer_fixture.h"
#include "service_model.h"
#include "support/test_support.h"

using namespace raftvault;
using namespace raftvault::actors;
using raftvault::testing::make_entries;
using raftvault::testing::temp_dir;
using raftvault::testing::writer_test_options;

namespace {

struct outcome {
  std::uint64_t groups = 0;
  std::uint64_t durable_last = 0;  // of the second append's reply
  std::uint64_t recovered = 0;
};

// Sends two appends of 4 entries of about 1000 bytes so that the second one reaches the writer after
// the first one's flush is queued and before it runs: the mailbox holds [flush, append 2].
// `inflight`: the storage's bytes in flight that each append announces; `append_cap`: its
// half-group size (0: whole groups).
outcome two_close_appends(std::uint64_t group_bytes, std::uint64_t inflight = 0,
                          std::uint64_t append_cap = 0) {
  temp_dir dir;
  const auto options = writer_test_options(dir);
  outcome out;
  {
    raftvault::testing::coordinator co;
    auto& system = *co.system;
    auto& sched = *co.sched;
    auto store = open_store(options);
    REQUIRE(store);
    auto writer = spawn_wal_writer(system, store->log->take_wal(), {std::chrono::microseconds(0), group_bytes, nullptr});
    sched.run();  // the writer's start
    auto replies = std::make_shared<std::vector<std::uint64_t>>();
    auto send_append = [&](std::uint64_t first) {
      system.spawn(
          [](caf::event_based_actor* self, wal_writer_actor dest, std::uint64_t first,
             std::uint64_t inflight, std::uint64_t append_cap,
             std::shared_ptr<std::vector<std::uint64_t>> replies) {
            std::vector<wal_append> appends{{hard_state{1, 1, first - 1}, make_entries(first, 4, 1, 1000), {}}};
            self->request(dest, caf::infinite, append_atom::value, std::move(appends),
                          handover_hints{0, inflight, append_cap})
                .then([replies](wal_ack ack) { replies->push_back(ack.last_index); });
          },
          writer, first, inflight, append_cap, replies);
    };
    send_append(1);
    REQUIRE(sched.try_run_once());  // client 1 sends append 1
    send_append(5);                 // client 2 is scheduled behind the writer
    REQUIRE(sched.try_run_once());  // the writer takes append 1 and queues a flush to itself
    // The coordinator keeps an actor with more mail at the front: run client 2 from the back.
    REQUIRE(sched.jobs.size() == 2);
    REQUIRE(sched.try_run_once_lifo());  // client 2 sends append 2, behind the flush
    sched.run();
    REQUIRE(replies->size() == 2);
    out.durable_last = replies->back();
    out.groups = co.round_trip<wal_writer_status>(writer, status_atom::value).groups;
    raftvault::testing::stop_writer(sched, writer);
  }
  out.recovered = raftvault::testing::recovered_entries(options);
  return out;
}

// The entry bytes of the first append.
std::uint64_t first_append_bytes() {
  std::uint64_t bytes = 0;
  for (const auto& e : make_entries(1, 4, 1, 1000)) bytes += e.data.size();
  return bytes;
}

}  // namespace

TEST_CASE("without a cap an append arriving during the group's write joins its fdatasync",
          "[actors][group]") {
  const auto out = two_close_appends(0);
  CHECK(out.groups == 1);
  CHECK(out.durable_last == 8);
  CHECK(out.recovered == 8);
}

TEST_CASE("a group that has written group-commit-bytes syncs without the newcomer",
          "[actors][group]") {
  const auto full = two_close_appends(first_append_bytes());  // the first append fills it
  CHECK(full.groups == 2);
  CHECK(full.durable_last == 8);
  CHECK(full.recovered == 8);
  const auto roomy = two_close_appends(first_append_bytes() + 1);
  CHECK(roomy.groups == 1);
}

TEST_CASE("a group may grow to half the storage's bytes in flight when that is above the cap",
          "[actors][group]") {
  const auto cap = first_append_bytes();  // alone, the first append fills a group
  // Four such appends in flight: groups of two, so the newcomer joins.
  const auto half = two_close_appends(cap, 4 * cap);
  CHECK(half.groups == 1);
  CHECK(half.durable_last == 8);
  CHECK(half.recovered == 8);
  // Two in flight: half is one append, the cap still decides.
  const auto two = two_close_appends(cap, 2 * cap);
  CHECK(two.groups == 2);
  CHECK(two.recovered == 8);
}

TEST_CASE("half groups: a group holding the storage's half-group size syncs without the newcomer",
          "[actors][group]") {
  // No byte cap: only the half-group size of one append splits them.
  const auto halves = two_close_appends(0, 0, 1);
  CHECK(halves.groups == 2);
  CHECK(halves.durable_last == 8);
  CHECK(halves.recovered == 8);
  const auto two = two_close_appends(0, 0, 2);
  CHECK(two.groups == 1);
}

TEST_CASE("the writer reports how long the disk sat idle before each group", "[actors][group]") {
  temp_dir dir;
  const auto options = writer_test_options(dir);
  raftvault::testing::coordinator co;
  auto& system = *co.system;
  auto& sched = *co.sched;
  auto store = open_store(options);
  REQUIRE(store);
  raftvault::testing::advanced_clock clock;
  auto writer = spawn_wal_writer(system, store->log->take_wal(), {std::chrono::microseconds(0), 0, clock.clock()});
  sched.run();
  auto append = [&](std::uint64_t first) {
    std::vector<wal_append> appends{{hard_state{1, 1, first - 1}, make_entries(first, 1, 1, 100), {}}};
    return co.round_trip<wal_ack>(writer, append_atom::value, appends, handover_hints{});
  };
  const auto first = append(1);
  CHECK(first.idle_us == 0);  // nothing synced before it
  CHECK(first.disk_us > 0);
  // 30 ms pass on the writer's clock without appends: idle disk time.
  clock.advance(std::chrono::milliseconds(30));
  const auto second = append(2);
  CHECK(second.last_index == 2);
  CHECK(second.idle_us >= 30000);
  CHECK(second.disk_us > 0);
  raftvault::testing::stop_writer(sched, writer);
}
