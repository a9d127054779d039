// The pipeline end to end on real files: durable replies, reopen, validation, snapshots.
#include <catch2/catch.hpp>

#include <caf/scoped_actor.hpp>

#include <functional>
#include <future>
#include <memory>

#include "actors/pipeline.h"
#include "fileio/fault_injection.h"
#include "fileio/file.h"
#include "raftlog/segment_name.h"
#include "raftlog/store_layout.h"
#include "service_model.h"
#include "support/test_support.h"

using namespace raftvault;
using namespace raftvault::actors;
using raftvault::testing::make_entries;
using raftvault::testing::temp_dir;
using raftvault::testing::test_snapshot;
using raftvault::testing::test_store_options;

namespace {

pipeline_options options_for(const temp_dir& dir) {
  auto options = test_store_options(dir, 256 << 10);
  options.metadata = "node-1";
  return options;
}

}  // namespace

TEST_CASE("appends are durable, answered in order, and recovered after reopen", "[actors]") {
  temp_dir dir;
  auto options = options_for(dir);
  {
    auto store = blocking_storage::open(options);
    REQUIRE(store);
    auto recovered = (*store)->recover();
    REQUIRE(recovered);
    CHECK(recovered->entries.empty());
    for (std::uint64_t i = 1; i <= 200; i += 10) {
      auto last = (*store)->append({1, 1, i > 1 ? i - 1 : 0}, make_entries(i, 10, 1, 100));
      REQUIRE(last);
      CHECK(*last == i + 9);
    }
    auto st = (*store)->status_report();
    REQUIRE(st);
    CHECK(st->last_index == 200);
    CHECK(st->sealing_generation == 1);
    CHECK(st->rotation_state == "{C}");
    CHECK(st->wal_direct_io == raftvault::testing::takes_direct_io(dir.path()));  // the default
    REQUIRE((*store)->close());
  }
  // What was written with O_DIRECT reads back (and goes on) through the page cache.
  options.wal_direct_io = false;
  auto store = blocking_storage::open(options);
  REQUIRE(store);
  auto recovered = (*store)->recover();
  REQUIRE(recovered);
  CHECK(recovered->metadata == "node-1");
  REQUIRE(recovered->entries.size() == 200);
  CHECK(recovered->entries.front() == make_entries(1, 1, 1, 100).front());
  CHECK(recovered->entries.back() == make_entries(200, 1, 1, 100).front());
  CHECK(recovered->state == hard_state{1, 1, 190});
  REQUIRE((*store)->append({1, 1, 200}, make_entries(201, 1, 1, 100)));
  auto st = (*store)->status_report();
  REQUIRE(st);
  CHECK_FALSE(st->wal_direct_io);
}

TEST_CASE("batches sealed in pieces on the crypto pool reach the WAL whole and in order",
          "[actors]") {
  // Batches above crypto-inline-bytes go to the pool in one piece per worker, cut by bytes
  // (entries of uneven sizes here), at most one piece per entry; many are in flight at once,
  // so the WAL writer writes some while others are still being sealed.
  temp_dir dir;
  auto options = options_for(dir);
  options.crypto_inline_bytes = 1024;
  options.crypto_workers = 3;
  const std::vector<std::size_t> sizes = {10, 5000, 300, 70, 2500, 900, 4000, 1, 1800, 640};
  const std::vector<std::size_t> batch_lengths = {1, 2, 3, 7, 12, 25, 2, 40, 5, 9, 16, 1, 30};
  std::vector<entry> sent;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> replies;  // (batch's last index, reply)
  {
    auto store = blocking_storage::open(options);
    REQUIRE(store);
    caf::scoped_actor self{(*store)->system()};
    std::vector<decltype(self->request((*store)->handle(), caf::infinite, append_atom::value,
                                       hard_state{}, std::vector<entry>{}))>
        pending;
    std::vector<std::uint64_t> last_of_batch;
    std::uint64_t next = 1;
    for (std::size_t b = 0; b < batch_lengths.size(); ++b) {
      std::vector<entry> batch;
      for (std::size_t i = 0; i < batch_lengths[b]; ++i) {
        auto e = make_entries(next, 1, 1, sizes[(next * 7) % sizes.size()]).front();
        e.data[0] = static_cast<char>('a' + next % 26);
        ++next;
        batch.push_back(e);
      }
      sent.insert(sent.end(), batch.begin(), batch.end());
      last_of_batch.push_back(batch.back().index);
      pending.push_back(self->request((*store)->handle(), caf::infinite, append_atom::value,
                                      hard_state{1, 1, batch.front().index - 1}, batch));
    }
    for (std::size_t b = 0; b < pending.size(); ++b)
      pending[b].receive(
          [&](std::uint64_t durable) { replies.emplace_back(last_of_batch[b], durable); },
          [&](caf::error& err) { FAIL(from_caf(err).describe()); });
    auto st = (*store)->status_report();
    REQUIRE(st);
    CHECK(st->durable_appends == batch_lengths.size());
    CHECK(st->bytes_in_flight == 0);
    REQUIRE((*store)->close());
  }
  // Each reply names a durable index at or past its batch's last one, never going back.
  REQUIRE(replies.size() == batch_lengths.size());
  for (std::size_t b = 0; b < replies.size(); ++b) {
    CHECK(replies[b].second >= replies[b].first);
    if (b > 0) CHECK(replies[b].second >= replies[b - 1].second);
  }
  auto store = blocking_storage::open(options);
  REQUIRE(store);
  auto recovered = (*store)->recover();
  REQUIRE(recovered);
  REQUIRE(recovered->entries.size() == sent.size());
  for (std::size_t i = 0; i < sent.size(); ++i) {
    INFO("index " << sent[i].index);
    CHECK(recovered->entries[i] == sent[i]);
  }
  CHECK(recovered->state.commit == sent.size() - batch_lengths.back());
}

TEST_CASE("invalid appends are refused with a reason and write nothing", "[actors]") {
  temp_dir dir;
  auto store = blocking_storage::open(options_for(dir));
  REQUIRE(store);
  auto& s = **store;
  REQUIRE(s.append({2, 1, 0}, make_entries(1, 5, 2, 10)));
  struct refused_case {
    const char* what;
    hard_state state;
    std::vector<entry> entries;
    const char* message;
  };
  std::vector<entry> gap = make_entries(1, 3, 2, 10);
  gap[2].index = 9;
  std::vector<entry> falling_term = make_entries(6, 2, 2, 10);
  falling_term[1].term = 1;
  std::vector<entry> huge = make_entries(6, 1, 2, 10);
  huge[0].data.assign(10u << 20, 'x');
  const std::vector<refused_case> cases = {
      {"gap after the last index", {}, make_entries(8, 1, 2, 10), "leaves a gap after the last index 5"},
      {"non-contiguous", {}, gap, "non-contiguous indexes: entry 9 follows 2"},
      {"term below the previous entry", {}, make_entries(6, 1, 1, 10), "below the term 2 of entry"},
      {"decreasing term in batch", {}, falling_term, "below the term 2 of entry"},
      {"hard state term goes back", {1, 1, 0}, {}, "hard state term 1 is below the current term 2"},
      {"record too large", {}, huge, "must stay under 10 MiB"},
  };
  for (const auto& c : cases) {
    INFO(c.what);
    auto refused = s.append(c.state, c.entries);
    REQUIRE_FALSE(refused);
    CHECK(refused.error().code() == errc::invalid_argument);
    CHECK_THAT(refused.error().message(), Catch::Contains(c.message));
  }
  REQUIRE(s.append({}, make_entries(6, 1, 2, 10)));
  auto st = s.status_report();
  REQUIRE(st);
  CHECK(st->last_index == 6);
  REQUIRE(s.close());
  auto after = s.append({}, make_entries(7, 1, 2, 10));
  REQUIRE_FALSE(after);
  CHECK(after.error().code() == errc::closed);
}

TEST_CASE("a snapshot is written, recorded in the WAL and used on reopen", "[actors]") {
  temp_dir dir;
  auto options = options_for(dir);
  {
    auto store = blocking_storage::open(options);
    REQUIRE(store);
    REQUIRE((*store)->append({1, 1, 50}, make_entries(1, 50, 1, 64)));
    snapshot snap;
    snap.metadata.index = 40;
    snap.metadata.term = 1;
    snap.metadata.conf.voters = {1};
    snap.data = "state at 40";
    auto saved = (*store)->save_snapshot(snap);
    REQUIRE(saved);
    CHECK(*saved == 40);
    snap.metadata.index = 30;
    auto stale = (*store)->save_snapshot(snap);
    REQUIRE_FALSE(stale);
    CHECK_THAT(stale.error().message(), Catch::Contains("not newer than the current snapshot index 40"));
    auto below = (*store)->append({}, make_entries(40, 1, 1, 8));
    REQUIRE_FALSE(below);
    CHECK_THAT(below.error().message(), Catch::Contains("at or below the snapshot index 40"));
    REQUIRE((*store)->close());
  }
  auto store = blocking_storage::open(options);
  REQUIRE(store);
  auto recovered = (*store)->recover();
  REQUIRE(recovered);
  REQUIRE(recovered->snap);
  CHECK(recovered->snap->data == "state at 40");
  REQUIRE(recovered->entries.size() == 10);
  CHECK(recovered->entries.front().index == 41);
}

TEST_CASE("segments a snapshot made unneeded are deleted, a failed deletion first", "[actors]") {
  temp_dir dir;
  auto options = options_for(dir);  // 256 KiB segments
  // Unpaced: each step runs before the next request (paced, the first one waits a pause,
  // and whether it failed before the next snapshot would be a race).
  options.segment_delete_rate = 0;
  const std::string wal_dir = raftlog::store_layout{options.data_dir, true}.wal_dir();
  {
    auto store = blocking_storage::open(options);
    REQUIRE(store);
    REQUIRE((*store)->recover());
    for (std::uint64_t i = 1; i <= 3000; i += 100)
      REQUIRE((*store)->append({1, 1, i + 99}, make_entries(i, 100, 1, 1000)));
    const auto before = raftlog::list_segments(wal_dir);
    REQUIRE(before.size() >= 6);

    // A snapshot takes the segments it made unneeded out of the log (X.wal.deleting) before
    // it answers; their space is given back afterwards. A give-back that fails stops nothing:
    // the snapshot is durable and appends go on.
    fileio::inject_fault(fileio::op::unlink, 1, EIO, /*sticky=*/true);
    REQUIRE((*store)->save_snapshot(test_snapshot(1000)));
    CHECK(fileio::exists(wal_dir + "/" + before.front().name + ".deleting"));
    CHECK(raftlog::list_segments(wal_dir).front().first_index <= 1000);
    REQUIRE((*store)->append({1, 1, 3010}, make_entries(3001, 10, 1, 1000)));

    // The next release retries it first and reports its failure, naming the file.
    auto failed = (*store)->save_snapshot(test_snapshot(2000));
    REQUIRE_FALSE(failed);
    CHECK_THAT(failed.error().message(), Catch::Contains(before.front().name + ".deleting"));
    CHECK(fileio::exists(wal_dir + "/" + before.front().name + ".deleting"));
    fileio::clear_faults();

    // And once the disk works again the leftovers go first, then what the release made
    // unneeded: every segment before the one holding index 2500 leaves the log, and the WAL
    // writer agrees with the disk.
    REQUIRE((*store)->save_snapshot(test_snapshot(2500)));
    CHECK_FALSE(fileio::exists(wal_dir + "/" + before.front().name + ".deleting"));
    const auto after = raftlog::list_segments(wal_dir);
    REQUIRE(after.size() >= 2);
    CHECK(after[0].first_index <= 2500);
    CHECK(after[1].first_index > 2500);
    auto status = (*store)->status_report();
    REQUIRE(status);
    CHECK(status->segments == after.size());
    REQUIRE((*store)->release_to(2500));  // nothing more to delete
    CHECK(raftlog::list_segments(wal_dir).size() == after.size());
    REQUIRE((*store)->close());
  }
  auto reopened = blocking_storage::open(options);
  REQUIRE(reopened);
  auto recovered = (*reopened)->recover();
  REQUIRE(recovered);
  REQUIRE(recovered->snap);
  CHECK(recovered->snap->metadata.index == 2500);
  REQUIRE(recovered->entries.size() == 510);
  CHECK(recovered->entries.back().index == 3010);
  // Whatever was still being given back at close is gone after the reopen.
  for (const auto& name : raftvault::testing::list_files(wal_dir))
    CHECK(name.find(".deleting") == std::string::npos);
  REQUIRE((*reopened)->close());
}

namespace {

// One closed-loop producer as a service embeds it: an event-based actor on the scheduler that
// sends the next append from the reply to the previous one (the bench's producer).
void append_next(caf::event_based_actor* self, const storage_actor& storage, std::uint64_t i,
                 std::uint64_t count, const std::shared_ptr<std::promise<bool>>& done) {
  if (i > count) {
    done->set_value(true);
    return self->quit();
  }
  self->request(storage, caf::infinite, append_atom::value, hard_state{1, 1, i},
                make_entries(i, 1, 1, 64))
      .then([self, storage, i, count, done](std::uint64_t) {
              append_next(self, storage, i + 1, count, done);
            },
            [self, done](caf::error&) {
              done->set_value(false);
              self->quit();
            });
}

caf::behavior lone_producer(caf::event_based_actor* self, storage_actor storage,
                            std::uint64_t count, std::shared_ptr<std::promise<bool>> done) {
  append_next(self, storage, 1, count, done);
  return {[](caf::unit_t) {}};  // alive until the last reply
}

}  // namespace

TEST_CASE("a lone closed-loop producer is never made to wait for a group that cannot grow",
          "[actors]") {
  // After each fdatasync the WAL writer expects the requesters it answered to come back, plus
  // those that arrived during the fdatasync (counted by a marker it sends itself). If an append
  // triggered by a reply overtook that marker it was counted twice, and one producer lingered
  // for a second append on most cycles (p50 2.2x the disk's instead of 1.04x).
  temp_dir dir;
  auto options = options_for(dir);
  auto store = blocking_storage::open(options);
  REQUIRE(store);
  REQUIRE((*store)->recover());
  auto done = std::make_shared<std::promise<bool>>();
  auto finished = done->get_future();
  (*store)->system().spawn(lone_producer, (*store)->handle(), std::uint64_t{400}, done);
  REQUIRE(finished.get());
  auto status = (*store)->status_report();
  REQUIRE(status);
  CHECK(status->durable_appends == 400);
  CHECK(status->fsync_groups == 400);
  CHECK(status->group_lingers == 0);
  REQUIRE((*store)->close());
}
