// DEK rotation through the pipeline (docs/design.md, "DEK rotation protocol") on real files
// and real keys.
#include <catch2/catch.hpp>
#include <caf/scoped_actor.hpp>

#include <atomic>
#include <filesystem>
#include <thread>

#include "actors/pipeline.h"
#include "codec/cipher.h"
#include "keys/key_store.h"
#include "fileio/file.h"
#include "raftlog/encrypted_log.h"
#include "raftlog/segment_remover.h"
#include "raftlog/wal.h"
#include "service_model.h"
#include "support/test_support.h"

using namespace raftvault;
using namespace raftvault::actors;
using raftvault::testing::make_entries;
using raftvault::testing::service_model;
using raftvault::testing::temp_dir;
using raftvault::testing::test_store_options;

namespace {

pipeline_options options_for(const temp_dir& dir) { return test_store_options(dir, 64 << 10); }

struct running_store {
  std::unique_ptr<blocking_storage> store;
  std::shared_ptr<service_model> model = std::make_shared<service_model>();

  explicit running_store(const pipeline_options& options) {
    auto opened = blocking_storage::open(options);
    REQUIRE(opened);
    store = std::move(*opened);
    store->register_snapshot_provider(
        store->system().spawn(raftvault::testing::snapshot_provider, model));
  }
  std::uint64_t append(std::uint64_t first, std::size_t count, std::uint64_t term) {
    auto entries = make_entries(first, count, term, 200);
    auto last = store->append({term, 1, first + count - 1}, entries);
    REQUIRE(last);
    model->acknowledge(entries);
    return *last;
  }
};

// Every key generation whose key a retained record or snapshot needs.
std::vector<std::uint32_t> generations_on_disk(const std::string& data_dir) {
  auto in_use = raftlog::key_generations_in_use(data_dir);
  REQUIRE(in_use);
  return *in_use;
}

}  // namespace

TEST_CASE("a DEK rotation drains, snapshots under the new key and retires the old one", "[actors][rotation]") {
  temp_dir dir;
  auto options = options_for(dir);
  {
    running_store rs(options);
    rs.append(1, 100, 1);
    auto report = rs.store->rotate_dek();
    REQUIRE(report);
    CHECK(report->old_id == 1);
    CHECK(report->new_id == 2);
    CHECK(report->last_old == 100);
    CHECK(report->snapshot_index >= 100);
    auto st = rs.store->status_report();
    REQUIRE(st);
    CHECK(st->rotation_state == "{C}");
    CHECK(st->sealing_generation == 2);
    CHECK(st->key_generations == std::vector<std::uint32_t>{2});
    rs.append(101, 10, 1);
    REQUIRE(rs.store->close());
  }
  CHECK(generations_on_disk(options.data_dir) == std::vector<std::uint32_t>{2});
  // The key file holds exactly one DEK and a restart needs nothing else.
  auto keys = keys::key_store::open(options.data_dir + "/keys");
  REQUIRE(keys);
  CHECK(keys->key_set().size() == 1);
  CHECK(keys->status().current_generation == 2);
  keys = raftvault::error(errc::closed, "released");  // drop the lock before reopening
  auto reopened = blocking_storage::open(options);
  REQUIRE(reopened);
  auto recovered = (*reopened)->recover();
  REQUIRE(recovered);
  REQUIRE(recovered->snap);
  CHECK(recovered->snap->metadata.index == 100);
  REQUIRE(recovered->entries.size() == 10);
  CHECK(recovered->entries.back() == make_entries(110, 1, 1, 200).front());
}

TEST_CASE("a failing snapshot provider leaves the rotation pending - a retry completes it", "[actors][rotation]") {
  temp_dir dir;
  running_store rs(options_for(dir));
  rs.append(1, 20, 1);
  rs.model->fail_snapshots = 1;
  auto failed = rs.store->rotate_dek();
  REQUIRE_FALSE(failed);
  CHECK_THAT(failed.error().message(), Catch::Contains("snapshot failed on purpose"));
  CHECK_THAT(failed.error().message(), Catch::Contains("left pending"));
  auto st = rs.store->status_report();
  REQUIRE(st);
  CHECK(st->rotation_state == "{C,P}");
  CHECK(st->sealing_generation == 2);  // the barrier happened: new appends use P
  CHECK(st->key_generations == std::vector<std::uint32_t>{1, 2});  // nothing retired
  rs.append(21, 5, 1);
  auto report = rs.store->rotate_dek();  // resumes the pending rotation
  INFO((report ? std::string() : report.error().describe()));
  REQUIRE(report);
  CHECK(report->old_id == 1);
  CHECK(report->new_id == 2);
  CHECK(report->snapshot_index >= 25);
  st = rs.store->status_report();
  REQUIRE(st);
  CHECK(st->rotation_state == "{C}");
  CHECK(st->key_generations == std::vector<std::uint32_t>{2});
}

namespace {

// 16 producers append while 5 rotations run back to back; afterwards every acknowledged entry
// reads back, and the store holds one key. Returns the status taken before closing.
storage_status sixteen_producers_five_rotations(const pipeline_options& options) {
  storage_status before_close;
  std::map<std::uint64_t, entry> acknowledged;
  {
    running_store rs(options);
    std::mutex order;  // index assignment and send happen together: the log's order
    std::uint64_t next_index = 1;
    std::atomic<bool> stop{false};
    std::atomic<int> failures{0};
    std::vector<std::thread> producers;
    for (int p = 0; p < 16; ++p) {
      producers.emplace_back([&] {
        caf::scoped_actor self{rs.store->system()};
        while (!stop) {
          std::vector<entry> batch;
          std::unique_lock<std::mutex> lock(order);
          batch = make_entries(next_index, 4, 1, 128);
          next_index += 4;
          rs.model->propose(batch);
          auto pending = self->request(rs.store->handle(), caf::infinite, append_atom::value,
                                       hard_state{1, 1, next_index - 5}, batch);
          lock.unlock();
          pending.receive([&](std::uint64_t) { rs.model->acknowledge(batch); },
                          [&](caf::error&) { ++failures; });
        }
      });
    }
    std::vector<rotation_report> reports;
    std::string rotation_error;
    while (reports.size() < 5 && rotation_error.empty()) {
      if (rs.model->acknowledged().size() < 40 * (reports.size() + 1)) {
        std::this_thread::yield();
        continue;
      }
      auto report = rs.store->rotate_dek();
      if (!report) {
        rotation_error = report.error().describe();
        break;
      }
      reports.push_back(*report);
    }
    stop = true;
    for (auto& t : producers) t.join();
    CHECK(rotation_error == "");
    REQUIRE(reports.size() == 5);
    CHECK(failures == 0);
    for (std::size_t i = 0; i < reports.size(); ++i) {
      CHECK(reports[i].old_id == i + 1);
      CHECK(reports[i].new_id == i + 2);
      CHECK(reports[i].snapshot_index >= reports[i].last_old);
    }
    acknowledged = rs.model->acknowledged();
    auto status = rs.store->status_report();
    REQUIRE(status);
    before_close = *status;
    REQUIRE(rs.store->close());
  }
  CHECK(generations_on_disk(options.data_dir) == std::vector<std::uint32_t>{6});
  auto reopened = blocking_storage::open(options);
  REQUIRE(reopened);
  auto recovered = (*reopened)->recover();
  REQUIRE(recovered);
  REQUIRE(recovered->snap);
  const auto snap_index = recovered->snap->metadata.index;
  std::size_t checked = 0;
  for (const auto& e : recovered->entries) {
    auto it = acknowledged.find(e.index);
    if (it == acknowledged.end()) continue;
    CHECK(e == it->second);
    ++checked;
  }
  // Every acknowledged entry after the snapshot is back; those before are in the snapshot.
  CHECK(checked == static_cast<std::size_t>(std::count_if(
                       acknowledged.begin(), acknowledged.end(),
                       [&](const auto& kv) { return kv.first > snap_index; })));
  return before_close;
}

}  // namespace

TEST_CASE("16 producers append while 5 rotations run back to back - nothing acknowledged is lost",
          "[actors][rotation][threads]") {
  temp_dir dir;
  auto options = options_for(dir);
  options.group_commit_mode = group_mode_setting::whole;
  const auto status = sixteen_producers_five_rotations(options);
  CHECK_FALSE(status.half_groups);
}

TEST_CASE("half groups - 16 producers and 5 rotations lose nothing, groups hold half of them",
          "[actors][rotation][threads]") {
  temp_dir dir;
  auto options = options_for(dir);
  options.group_commit_mode = group_mode_setting::halves;
  const auto status = sixteen_producers_five_rotations(options);
  CHECK(status.half_groups);
  CHECK(status.group_appends_in_cycle <= 16.0);
  REQUIRE(status.fsync_groups > 0);
  // At most half of the 16 per group, but for the forced snapshots' syncs (which take all).
  CHECK(static_cast<double>(status.durable_appends) / static_cast<double>(status.fsync_groups) <= 12.0);
}

TEST_CASE("a rotation does not wait while released segments are given back, paced",
          "[actors][rotation]") {
  // A minute between 4 MiB steps (and before the first): a rotation that waited for the
  // give-back would take minutes and find the segment gone; this one finds it taken out of the
  // log, not shrunk yet.
  temp_dir dir;
  auto options = test_store_options(dir, 6 << 20);
  options.segment_delete_rate = raftlog::segment_remover::kStepBytes / 60;
  const std::string wal_dir = dir / "store/wal-v3-encrypted";
  {
    running_store rs(options);
    std::uint64_t next = 1;
    while (raftlog::list_segments(wal_dir).size() < 3) next = rs.append(next, 256, 1) + 1;
    const auto before = raftlog::list_segments(wal_dir);
    auto report = rs.store->rotate_dek();
    REQUIRE(report);
    const std::string taken_out = wal_dir + "/" + before.front().name + ".deleting";
    CHECK_FALSE(fileio::exists(wal_dir + "/" + before.front().name));
    REQUIRE(fileio::exists(taken_out));
    CHECK(std::filesystem::file_size(taken_out) == before.front().size_bytes);
    // Appends, a second rotation and a snapshot go on meanwhile.
    next = rs.append(next, 10, 1) + 1;
    REQUIRE(rs.store->rotate_dek());
    CHECK(fileio::exists(taken_out));
    CHECK(generations_on_disk(options.data_dir) == std::vector<std::uint32_t>{3});
    REQUIRE(rs.store->close());
  }
  // What was still being given back at close is removed by the next open.
  running_store reopened(options);
  for (const auto& name : raftvault::testing::list_files(wal_dir))
    CHECK(name.find(".deleting") == std::string::npos);
}

TEST_CASE("a rotation pauses between its durable steps while appends and status go on", "[actors][rotation]") {
  temp_dir dir;
  auto options = options_for(dir);
  options.rotation_step_pause_us = 100'000;  // four: F, {C,P}, barrier, snapshot, retire between
  {
    running_store rs(options);
    rs.append(1, 50, 1);
    caf::scoped_actor self{rs.store->system()};
    auto rotation = self->request(rs.store->handle(), caf::infinite, rotate_dek_atom::value);
    // The first pause follows F: appends accepted meanwhile are sealed with C, before the barrier.
    rs.append(51, 10, 1);
    auto during = rs.store->status_report();
    REQUIRE(during);
    CHECK(during->rotation_state != "{C}");
    rotation_report report;
    rotation.receive([&](rotation_report& r) { report = r; },
                     [&](caf::error& err) { FAIL(rs.store->system().render(err)); });
    CHECK(report.old_id == 1);
    CHECK(report.new_id == 2);
    CHECK(report.last_old == 60);
    CHECK(report.duration_us >= 4 * options.rotation_step_pause_us);
    rs.append(61, 10, 1);
    REQUIRE(rs.store->close());
  }
  CHECK(generations_on_disk(options.data_dir) == std::vector<std::uint32_t>{2});
}
