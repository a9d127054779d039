// Releasing WAL segments through the storage actor: only up to the newest durable snapshot.
// A release past it would delete the only copy of the entries after the snapshot.
#include "coordinator_fixture.h"

using namespace raftvault;
using namespace raftvault::actors;
using raftvault::testing::coordinated_store;
using raftvault::testing::list_files;

TEST_CASE("release past the newest durable snapshot is refused and deletes nothing",
          "[actors][release]") {
  coordinated_store s;
  s.fill();
  auto snapshotted = s.ask<std::uint64_t>(snapshot_atom::value, s.snapshot_at(10));
  s.sched->run();
  REQUIRE(*snapshotted);
  REQUIRE(**snapshotted);
  const std::string wal_dir = s.options.data_dir + "/wal-v3-encrypted";
  const auto before = list_files(wal_dir);

  auto released = s.ask<bool>(release_atom::value, std::uint64_t{35});
  s.sched->run();
  REQUIRE(*released);
  REQUIRE_FALSE(**released);
  CHECK((**released).error().code() == errc::invalid_argument);
  CHECK_THAT((**released).error().message(),
             Catch::Contains("newest durable snapshot is at index 10"));
  CHECK(list_files(wal_dir) == before);

  // The store still opens with every entry after the snapshot.
  caf::anon_send_exit(s.storage, caf::exit_reason::user_shutdown);
  s.storage = nullptr;
  s.sched->run();
  auto reopened = open_store(s.options);
  REQUIRE(reopened);
  const auto& recovered = reopened->recovered;
  REQUIRE(recovered.snap);
  CHECK(recovered.snap->metadata.index == 10);
  REQUIRE_FALSE(recovered.entries.empty());
  CHECK(recovered.entries.back().index == 40);
}
