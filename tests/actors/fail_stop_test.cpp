// Fail-stop of the pipeline (docs/design.md, "The pipeline"): when the disk fails under load, every
// pending append gets the error, every later request is refused with the same sticky error, nothing
// is ever reported durable that is not, and a reopen finds everything acknowledged. Faults come
// from fileio's hook on the real files (no mocked disk).
#include <catch2/catch.hpp>

#include <cerrno>
#include <cstring>

#include "actors/pipeline.h"
#include "fileio/fault_injection.h"
#include "fileio/io_counters.h"
#include "producer_load.h"
#include "service_model.h"
#include "support/test_support.h"

using namespace raftvault;
using namespace raftvault::actors;
using raftvault::testing::ack_counter;
using raftvault::testing::make_entries;
using raftvault::testing::producer_load;
using raftvault::testing::temp_dir;
using raftvault::testing::test_store_options;

namespace {

// No segment cut in these runs: the fault hits a group's write or sync.
pipeline_options options_for(const temp_dir& dir) { return test_store_options(dir, 4 << 20); }

// Faults are process-wide: clear them whatever way a test case ends.
struct clear_faults_at_exit {
  ~clear_faults_at_exit() { fileio::clear_faults(); }
};

struct disk_fault {
  const char* what;
  fileio::op kind;
  int sys_errno;
};

const std::vector<disk_fault> kFaults = {
    {"fdatasync fails with EIO", fileio::op::fdatasync, EIO},
    {"write fails with ENOSPC", fileio::op::write, ENOSPC},
};

// Acknowledged entries by index, as the service would remember them.
struct ack_log {
  std::mutex mutex;
  std::map<std::uint64_t, entry> entries;
  std::vector<raftvault::error> failures;
  void acknowledge(const std::vector<entry>& batch) {
    std::lock_guard<std::mutex> guard(mutex);
    for (const auto& e : batch) entries[e.index] = e;
  }
  void fail(const raftvault::error& why) {
    std::lock_guard<std::mutex> guard(mutex);
    failures.push_back(why);
  }
};

// Reopens with the fault cleared: exactly the acknowledged entries are there (the WAL rolls
// back what no fdatasync covered), byte for byte.
void check_reopened(const pipeline_options& options, const std::map<std::uint64_t, entry>& acked) {
  fileio::clear_faults();
  auto reopened = blocking_storage::open(options);
  INFO((reopened ? std::string() : reopened.error().describe()));
  REQUIRE(reopened);
  auto recovered = (*reopened)->recover();
  REQUIRE(recovered);
  CHECK_FALSE(recovered->snap);
  std::map<std::uint64_t, entry> found;
  for (const auto& e : recovered->entries) found[e.index] = e;
  for (const auto& [index, e] : acked) {
    INFO("acknowledged index " << index);
    auto it = found.find(index);
    REQUIRE(it != found.end());
    CHECK(it->second == e);
  }
  REQUIRE_FALSE(acked.empty());
  CHECK(recovered->entries.back().index == acked.rbegin()->first);
  // The reopened store takes appends again after the last acknowledged index.
  const auto next = acked.rbegin()->first + 1;
  auto appended = (*reopened)->append({1, 1, next - 1}, make_entries(next, 3, 1, 64));
  INFO((appended ? std::string() : appended.error().describe()));
  REQUIRE(appended);
  CHECK(*appended == next + 2);
}

// The sticky error: every refusal after the failure carries the same code and message.
void check_refused_like(const raftvault::error& first, const raftvault::error& later) {
  CHECK(later.code() == first.code());
  CHECK(later.message() == first.message());
}

}  // namespace

TEST_CASE("fail-stop: a disk failing under 8 producers fails pending appends and refuses later ones",
          "[actors][failstop][threads]") {
  for (const auto& fault : kFaults) {
    DYNAMIC_SECTION(fault.what) {
      clear_faults_at_exit guard;
      temp_dir dir;
      auto options = options_for(dir);
      ack_log log;
      {
        auto opened = blocking_storage::open(options);
        REQUIRE(opened);
        auto& store = **opened;
        auto first = make_entries(1, 20, 1, 100);
        REQUIRE(store.append({1, 1, 0}, first));
        log.acknowledge(first);

        ack_counter acks;
        producer_load load(
            store.system(), store.handle(), 21, {8, 4, 128, 1},
            [&](const std::vector<entry>& batch) {
              log.acknowledge(batch);
              acks.add(batch.size());
            },
            [&](const std::vector<entry>&, const raftvault::error& why) { log.fail(why); });
        REQUIRE(acks.wait_for(400));
        fileio::inject_fault(fault.kind, 1, fault.sys_errno, /*sticky=*/true);
        load.join();  // every producer stops at its first failure

        REQUIRE(log.failures.size() == 8);
        const auto sticky = log.failures.front();
        INFO(sticky.describe());
        CHECK(sticky.code() == errc::io);
        CHECK_THAT(sticky.message(), Catch::Contains("wal writer stopped (fail-stop)"));
        CHECK_THAT(sticky.message(), Catch::Contains(std::strerror(fault.sys_errno)));
        for (const auto& other : log.failures) check_refused_like(sticky, other);

        // Later requests: refused with the same error, valid or not, before any validation.
        const auto next = log.entries.rbegin()->first + 1000;
        auto later = store.append({}, make_entries(next, 1, 1, 10));
        REQUIRE_FALSE(later);
        check_refused_like(sticky, later.error());
        auto rotation = store.rotate_dek();
        REQUIRE_FALSE(rotation);
        check_refused_like(sticky, rotation.error());
        snapshot snap;
        snap.metadata.index = 10;
        snap.metadata.term = 1;
        snap.data = "state";
        auto saved = store.save_snapshot(snap);
        REQUIRE_FALSE(saved);
        check_refused_like(sticky, saved.error());

        auto status = store.status_report();
        REQUIRE(status);
        CHECK(status->failure == sticky.describe());
        CHECK(status->bytes_in_flight == 0);
        // Close reports the failure rather than a clean close.
        auto closed = store.close();
        REQUIRE_FALSE(closed);
        check_refused_like(sticky, closed.error());
      }
      check_reopened(options, log.entries);
    }
  }
}

TEST_CASE("fail-stop: appends sent before the failing fdatasync all get its error, none is acknowledged",
          "[actors][failstop]") {
  clear_faults_at_exit guard;
  temp_dir dir;
  auto options = options_for(dir);
  std::map<std::uint64_t, entry> acked;
  {
    auto opened = blocking_storage::open(options);
    REQUIRE(opened);
    auto& store = **opened;
    for (std::uint64_t i = 1; i <= 30; i += 10) {
      auto batch = make_entries(i, 10, 1, 100);
      REQUIRE(store.append({1, 1, i - 1}, batch));
      for (const auto& e : batch) acked[e.index] = e;
    }
    fileio::inject_fault(fileio::op::fdatasync, 1, EIO, /*sticky=*/true);
    // 24 appends in flight at once: they form the failing group, queue behind it in the WAL
    // writer, or wait in the storage; all are answered, with the same error.
    caf::scoped_actor self{store.system()};
    std::vector<decltype(self->request(store.handle(), caf::infinite, append_atom::value,
                                       hard_state{}, std::vector<entry>{}))>
        pending;
    for (std::uint64_t i = 31; i < 31 + 24 * 5; i += 5)
      pending.push_back(self->request(store.handle(), caf::infinite, append_atom::value,
                                      hard_state{1, 1, i - 1}, make_entries(i, 5, 1, 100)));
    std::vector<raftvault::error> errors;
    std::size_t acknowledged = 0;
    for (auto& p : pending)
      p.receive([&](std::uint64_t) { ++acknowledged; },
                [&](caf::error& err) { errors.push_back(from_caf(err)); });
    CHECK(acknowledged == 0);
    REQUIRE(errors.size() == 24);
    INFO(errors.front().describe());
    CHECK(errors.front().code() == errc::io);
    CHECK_THAT(errors.front().message(), Catch::Contains(std::strerror(EIO)));
    for (const auto& e : errors) check_refused_like(errors.front(), e);
    auto status = store.status_report();
    REQUIRE(status);
    CHECK(status->failure == errors.front().describe());
    CHECK(status->durable_appends == 3);
  }
  check_reopened(options, acked);
}

TEST_CASE("fail-stop: a snapshot is reported saved only once the hard state covering it is durable",
          "[actors][failstop]") {
  // etcd's restart ignores a snapshot record beyond the persisted commit, so the hard state
  // written with the snapshot record must be fdatasynced before the snapshot is acknowledged
  // (and before a rotation retires the key the older snapshot needs). The .snap file is
  // fsynced (op::fsync), so the WAL's fdatasyncs are the only ones counted here. A snapshot
  // inside the log writes the covering hard state first and syncs it with the record (one
  // fdatasync); one beyond the log writes the record, syncs, then the state, and syncs again.
  // Failing the fdatasync that covers the state must fail the snapshot.
  struct snapshot_case {
    const char* what;
    std::uint64_t index;
    std::uint64_t fdatasyncs;  // the WAL's, for the snapshot; the last one is failed
  };
  const std::vector<snapshot_case> cases = {
      {"inside the log: state and record share one fdatasync", 40, 1},
      {"beyond the log: record, fdatasync, state, fdatasync", 60, 2},
  };
  for (const auto& c : cases) {
    DYNAMIC_SECTION(c.what) {
      clear_faults_at_exit guard;
      temp_dir dir;
      auto options = options_for(dir);
      snapshot snap;
      snap.metadata.index = c.index;
      snap.metadata.term = 1;
      snap.metadata.conf.voters = {1};
      snap.data = "state at " + std::to_string(c.index);
      {
        auto opened = blocking_storage::open(options);
        REQUIRE(opened);
        auto& store = **opened;
        REQUIRE(store.append({1, 1, 10}, make_entries(1, 50, 1, 100)));
        // Without a fault: exactly this many fdatasyncs (a second store, same layout).
        {
          temp_dir other_dir;
          auto other = blocking_storage::open(options_for(other_dir));
          REQUIRE(other);
          REQUIRE((*other)->append({1, 1, 10}, make_entries(1, 50, 1, 100)));
          const auto before = fileio::io_call_count(fileio::op::fdatasync);
          auto saved = (*other)->save_snapshot(snap);
          INFO((saved ? std::string() : saved.error().describe()));
          REQUIRE(saved);
          CHECK(fileio::io_call_count(fileio::op::fdatasync) - before == c.fdatasyncs);
        }
        fileio::inject_fault(fileio::op::fdatasync, static_cast<int>(c.fdatasyncs), EIO,
                             /*sticky=*/true);
        auto saved = store.save_snapshot(snap);
        REQUIRE_FALSE(saved);
        CHECK(saved.error().code() == errc::io);
        CHECK_THAT(saved.error().message(), Catch::Contains(std::strerror(EIO)));
        auto later = store.append({}, make_entries(51, 1, 1, 10));
        REQUIRE_FALSE(later);
        CHECK(later.error().message() == saved.error().message());
      }
      fileio::clear_faults();
      auto reopened = blocking_storage::open(options);
      REQUIRE(reopened);
      auto recovered = (*reopened)->recover();
      REQUIRE(recovered);
      // The WAL rolls back to its last fdatasync, which did not cover the state: the
      // snapshot does not count, and every acknowledged entry is there.
      CHECK_FALSE(recovered->snap);
      REQUIRE_FALSE(recovered->entries.empty());
      CHECK(recovered->entries.front().index == 1);
      CHECK(recovered->entries.back().index == 50);
      CHECK(recovered->state.commit == 10);
    }
  }
}

TEST_CASE("fail-stop: after close every request is refused with errc::closed", "[actors][failstop]") {
  temp_dir dir;
  auto opened = blocking_storage::open(options_for(dir));
  REQUIRE(opened);
  auto& store = **opened;
  REQUIRE(store.append({1, 1, 0}, make_entries(1, 5, 1, 10)));
  REQUIRE(store.close());
  CHECK(store.close());  // closing twice is fine
  auto append = store.append({}, make_entries(6, 1, 1, 10));
  REQUIRE_FALSE(append);
  CHECK(append.error().code() == errc::closed);
  auto rotation = store.rotate_dek();
  REQUIRE_FALSE(rotation);
  CHECK(rotation.error().code() == errc::closed);
  auto status = store.status_report();
  REQUIRE_FALSE(status);
  CHECK(status.error().code() == errc::closed);
}
