// The WAL writer's lingers (group_commit_policy.h, "Linger") on CAF's test coordinator: a
// linger is a delayed message, so it shows as the coordinator's pending timeout, and the test
// decides whether the expected requester comes first or the timeout fires. Every fdatasync
// takes at least a step of the writer's clock, so a linger always has a length.
#include <catch2/catch.hpp>

#include <caf/scheduler/test_coordinator.hpp>

#include <memory>
#include <optional>
#include <vector>

#include "actors/config.h"
#include "actors/pipeline.h"
#include "actors/wal_writer.h"
#include "coordinator_fixture.h"
#include "service_model.h"
#include "support/test_support.h"
#include "wal_writer_fixture.h"

using namespace raftvault;
using namespace raftvault::actors;
using raftvault::testing::make_entries;
using raftvault::testing::temp_dir;

namespace {

// A WAL writer with linger on (500 us), on a real plaintext store.
struct lingering_writer : raftvault::testing::coordinator {
  temp_dir dir;
  pipeline_options options = raftvault::testing::writer_test_options(dir);
  std::optional<opened_store> store;
  raftvault::testing::advanced_clock clock{std::chrono::microseconds(100)};
  wal_writer_actor writer;
  std::shared_ptr<std::vector<std::uint64_t>> replies = std::make_shared<std::vector<std::uint64_t>>();
  std::uint64_t next_index = 1;

  lingering_writer() {
    auto opened = open_store(options);
    REQUIRE(opened);
    store.emplace(std::move(*opened));
    writer = spawn_wal_writer(*system, store->log->take_wal(), {std::chrono::microseconds(500), 0, clock.clock()});
    sched->run();
  }
  ~lingering_writer() {
    caf::anon_send_exit(writer, caf::exit_reason::user_shutdown);
    writer = nullptr;
    sched->run();
  }

  // A requester sends one append of one entry (not run yet); its reply lands in `replies`.
  void append(handover_hints hints = {}) {
    const auto first = next_index++;
    system->spawn(
        [](caf::event_based_actor* self, wal_writer_actor dest, std::uint64_t first, handover_hints hints,
           std::shared_ptr<std::vector<std::uint64_t>> replies) {
          std::vector<wal_append> appends{{hard_state{1, 1, first - 1}, make_entries(first, 1, 1, 100), {}}};
          self->request(dest, caf::infinite, append_atom::value, std::move(appends), hints)
              .then([replies](wal_ack ack) { replies->push_back(ack.last_index); });
        },
        writer, first, hints, replies);
  }

  wal_writer_status status() { return round_trip<wal_writer_status>(writer, status_atom::value); }

  // Two requesters answered by one fdatasync: the next group expects both back.
  void group_of_two() {
    append();
    append();
    sched->run();
    REQUIRE(replies->size() == 2);
    REQUIRE_FALSE(sched->has_pending_timeout());
  }
};

}  // namespace

TEST_CASE("wal writer: a lone requester never lingers", "[actors][group]") {
  lingering_writer w;
  for (int i = 0; i < 3; ++i) {
    w.append();
    w.sched->run();
  }
  CHECK(w.replies->size() == 3);
  CHECK_FALSE(w.sched->has_pending_timeout());
  CHECK(w.status().lingers == 0);
}

TEST_CASE("wal writer: a short group lingers, and the expected requester joins it", "[actors][group]") {
  lingering_writer w;
  w.group_of_two();
  w.append();
  w.sched->run();
  CHECK(w.replies->size() == 2);  // the first one waits for the second
  CHECK(w.sched->has_pending_timeout());
  w.append();
  w.sched->run();
  CHECK(w.replies->size() == 4);
  CHECK(w.replies->back() == 4);
  const auto status = w.status();
  CHECK(status.lingers == 1);
  CHECK(status.groups == 2);
  // The linger's timer is stale now: firing it writes nothing and syncs nothing.
  CHECK(w.sched->trigger_timeouts() == 1);
  w.sched->run();
  CHECK(w.status().groups == 2);
}

TEST_CASE("wal writer: a short group whose linger runs out is written alone", "[actors][group]") {
  lingering_writer w;
  w.group_of_two();
  w.append();
  w.sched->run();
  REQUIRE(w.replies->size() == 2);
  REQUIRE(w.sched->trigger_timeouts() == 1);
  w.sched->run();
  CHECK(w.replies->size() == 3);
  CHECK(w.status().groups == 2);
}

TEST_CASE("wal writer: a written group waits once for a batch announced behind it", "[actors][group]") {
  lingering_writer w;
  w.append();  // a first group: the fdatasync's time is known
  w.sched->run();
  w.append({1, 0, 0});  // one more batch is being sealed
  w.sched->run();
  CHECK(w.replies->size() == 1);  // written, not synced: waiting for the batch behind
  CHECK(w.sched->has_pending_timeout());
  w.append();  // it comes before the timeout
  w.sched->run();
  CHECK(w.replies->size() == 3);
  CHECK(w.status().groups == 2);

  w.append({1, 0, 0});  // this time it does not come
  w.sched->run();
  CHECK(w.replies->size() == 3);
  REQUIRE(w.sched->trigger_timeouts() >= 1);  // the stale timer of the first wait too
  w.sched->run();
  CHECK(w.replies->size() == 4);
  CHECK_FALSE(w.sched->has_pending_timeout());
  CHECK(w.status().groups == 3);
}
