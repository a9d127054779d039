// wal::detach_released + remove_segment_files: release_to in two halves, so the thread that
// appends never waits for the deletions. The WAL keeps working while the detached files are
// still on disk, and a deletion that fails loses nothing and is finished by a later release.
#include <catch2/catch.hpp>

#include <fcntl.h>

#include <chrono>
#include <cstring>

#include "fileio/fault_injection.h"
#include "fileio/file.h"
#include "raftlog/segment_name.h"
#include "raftlog/segment_remover.h"
#include "fileio/io_counters.h"
#include "raftlog/wal.h"
#include "wal_test_support.h"

using namespace raftvault;
using namespace raftvault::testing;

namespace {

std::vector<std::string> names(const std::vector<raftlog::segment_info>& segments) {
  std::vector<std::string> out;
  for (const auto& s : segments) out.push_back(s.name);
  return out;
}

// Snapshot at the first index of segment `k` of `log`, then detach what it released.
std::vector<std::string> snapshot_and_detach(raftlog::wal& log, std::size_t k) {
  const auto segments = log.segments();
  REQUIRE(segments.size() > k);
  REQUIRE(log.save_snapshot({segments[k].first_index, 1}));
  auto detached = log.detach_released(segments[k].first_index);
  REQUIRE(detached);
  REQUIRE(detached->size() == k);
  return std::move(*detached);
}

}  // namespace

TEST_CASE("detach_released hands over exactly the segments release_to would delete", "[wal]") {
  temp_dir tmp;
  auto log = wal_with_small_segments(tmp / "wal");
  const auto before = log->segments();
  REQUIRE(before.size() >= 4);
  const std::uint64_t snap_index = before[2].first_index;
  REQUIRE(log->save_snapshot({snap_index, 1}));

  auto detached = log->detach_released(snap_index);
  REQUIRE(detached);
  REQUIRE(detached->size() == 2);
  CHECK((*detached)[0] == tmp / "wal/" + before[0].name);
  CHECK((*detached)[1] == tmp / "wal/" + before[1].name);
  // Forgotten by the WAL, still on disk until the caller deletes them.
  CHECK(log->segments().front().name == before[2].name);
  CHECK(raftlog::list_segments(tmp / "wal").size() == before.size());

  // The WAL goes on appending, syncing and cutting meanwhile.
  for (std::uint64_t i = 61; i <= 80; i += 4)
    REQUIRE(log->save({1, 1, i + 3}, make_entries(i, i + 3, 1, 1000)));
  auto again = log->detach_released(snap_index);
  REQUIRE(again);
  CHECK(again->empty());  // nothing is handed over twice

  raftlog::segment_remover remover;
  REQUIRE(remover.remove(*detached));
  CHECK(remover.pending().empty());
  for (const auto& path : *detached) CHECK_FALSE(fileio::exists(path));
  CHECK(names(raftlog::list_segments(tmp / "wal")) == names(log->segments()));
  REQUIRE(log->close());

  auto read = raftlog::read_wal(tmp / "wal", {snap_index, 1});
  REQUIRE(read);
  CHECK(read->entries.front().index == snap_index + 1);
  CHECK(read->entries.back().index == 80);
}

TEST_CASE("after a failed deletion no newer segment leaves the log before it, so no gap appears",
          "[wal][fault]") {
  temp_dir tmp;
  auto log = wal_with_small_segments(tmp / "wal");
  const auto before = log->segments();
  REQUIRE(before.size() >= 6);
  const auto first = snapshot_and_detach(*log, 2);

  // The second rename out of the log fails: the first segment goes, the second stays a
  // segment, and the log on disk still starts with a segment that chains to the next.
  raftlog::segment_remover remover;
  fileio::inject_fault(fileio::op::rename, 2, EIO);
  auto failed = remover.remove(first);
  fileio::clear_faults();
  REQUIRE_FALSE(failed);
  CHECK_THAT(failed.error().message(), Catch::Contains(tmp / "wal/" + before[1].name));
  CHECK_FALSE(fileio::exists(first[0]));
  CHECK_FALSE(fileio::exists(first[0] + ".deleting"));
  CHECK(fileio::exists(first[1]));
  CHECK(remover.pending() == std::vector<std::string>{first[1]});
  REQUIRE(raftlog::valid_snapshot_markers(tmp / "wal"));  // reads every segment from the oldest

  // A later release while the leftover still cannot move: nothing newer leaves the log.
  const auto second = snapshot_and_detach(*log, 2);  // segments 2 and 3 of the original
  CHECK(second.front() == tmp / "wal/" + before[2].name);
  fileio::inject_fault(fileio::op::rename, 1, EIO);
  REQUIRE_FALSE(remover.remove(second));
  fileio::clear_faults();
  for (std::size_t i = 1; i < before.size(); ++i)
    CHECK(fileio::exists(tmp / "wal/" + before[i].name));
  CHECK(remover.pending().size() == 3);

  // Once renames work again the leftover goes first, then the rest.
  REQUIRE(remover.remove({}));
  CHECK(remover.pending().empty());
  const auto on_disk = raftlog::list_segments(tmp / "wal");
  CHECK(on_disk.front().name == before[4].name);
  CHECK(names(on_disk) == names(log->segments()));
  CHECK(fileio::list_dir(tmp / "wal").value().size() == on_disk.size() + 2);  // lock, spare
  REQUIRE(log->close());
  auto read = raftlog::read_wal(tmp / "wal", {before[4].first_index, 1});
  REQUIRE(read);
  CHECK(read->entries.back().index == 60);
}

TEST_CASE("a segment whose shrinking fails stays out of the log and is deleted on retry",
          "[wal][fault]") {
  temp_dir tmp;
  auto log = wal_with_small_segments(tmp / "wal");
  const auto before = log->segments();
  const auto detached = snapshot_and_detach(*log, 2);
  raftlog::segment_remover remover;
  fileio::inject_fault(fileio::op::unlink, 1, EIO);
  auto failed = remover.remove(detached);
  fileio::clear_faults();
  REQUIRE_FALSE(failed);
  CHECK(failed.error().message() == "unlink " + detached[0] + ".deleting: " +
                                        std::strerror(EIO));
  // Both are out of the log already; the log reads.
  CHECK(raftlog::list_segments(tmp / "wal").front().name == before[2].name);
  REQUIRE(raftlog::valid_snapshot_markers(tmp / "wal"));
  REQUIRE(remover.remove({}));
  for (const auto& path : detached) {
    CHECK_FALSE(fileio::exists(path));
    CHECK_FALSE(fileio::exists(path + ".deleting"));
  }
  REQUIRE(log->close());
}

TEST_CASE("segments are given back in steps, and a crash's leftover is removed by open",
          "[wal]") {
  temp_dir tmp;
  raftlog::wal_options options;
  options.segment_size = 3 * raftlog::segment_remover::kStepBytes + 4096;
  auto created = raftlog::wal::create(tmp / "wal", "meta", options);
  REQUIRE(created);
  auto log = std::move(*created);
  const std::string big(64 << 10, 'x');
  std::uint64_t index = 1;
  while (log->segments().size() < 3) {
    std::vector<entry> batch;
    for (int i = 0; i < 16; ++i) batch.push_back(entry{1, index++, entry_type::normal, big});
    REQUIRE(log->save({1, 1, index - 1}, batch));
  }
  const auto before = log->segments();
  REQUIRE(log->save_snapshot({before[1].first_index, 1}));
  auto detached = log->detach_released(before[1].first_index);
  REQUIRE(detached);
  REQUIRE(detached->size() == 1);

  // Shrinking is a truncate per step: count them.
  fileio::reset_io_call_counts();
  raftlog::segment_remover remover(/*bytes_per_sec=*/1ull << 40);
  REQUIRE(remover.remove(*detached));
  CHECK(fileio::io_call_count(fileio::op::truncate) == 3);
  CHECK_FALSE(fileio::exists((*detached)[0]));

  // A crash between the rename and the unlink leaves X.wal.deleting: the next open removes it.
  REQUIRE(log->save_snapshot({before[2].first_index, 1}));
  auto next = log->detach_released(before[2].first_index);
  REQUIRE(next);
  REQUIRE(next->size() == 1);
  REQUIRE(fileio::rename((*next)[0], (*next)[0] + ".deleting"));
  REQUIRE(log->close());
  auto reopened = raftlog::wal::open(tmp / "wal", {before[2].first_index, 1}, options);
  REQUIRE(reopened);
  CHECK_FALSE(fileio::exists((*next)[0] + ".deleting"));
  REQUIRE((*reopened)->read_all());
  REQUIRE((*reopened)->close());
}

TEST_CASE("take_out leaves the log at once, give_back_step does one step per call", "[wal]") {
  temp_dir tmp;
  auto log = wal_with_small_segments(tmp / "wal");
  const auto detached = snapshot_and_detach(*log, 2);
  // Grow the first one so that giving it back takes steps: 2 x 4 MiB + 100 bytes.
  const auto big = 2 * raftlog::segment_remover::kStepBytes + 100;
  {
    auto f = fileio::file::open(detached[0], O_RDWR);
    REQUIRE(f);
    REQUIRE(f->truncate(big));
  }
  raftlog::segment_remover remover(/*bytes_per_sec=*/1);
  CHECK(remover.pause() > std::chrono::hours(1));  // the caller paces; nothing here sleeps
  REQUIRE(remover.take_out(detached));
  CHECK(remover.giving_back());
  for (const auto& path : detached) {
    CHECK_FALSE(fileio::exists(path));
    CHECK(fileio::exists(path + ".deleting"));
  }
  REQUIRE(raftlog::valid_snapshot_markers(tmp / "wal"));  // the log reads without them
  const std::string first = detached[0] + ".deleting";
  REQUIRE(remover.give_back_step());
  CHECK(fileio::file::open(first, O_RDONLY)->size().value() == big - raftlog::segment_remover::kStepBytes);
  REQUIRE(remover.give_back_step());
  CHECK(fileio::file::open(first, O_RDONLY)->size().value() == 100);
  REQUIRE(remover.give_back_step());  // small enough: unlinked
  CHECK_FALSE(fileio::exists(first));
  CHECK(remover.pending().size() == 1);
  REQUIRE(remover.give_back_step());
  CHECK_FALSE(fileio::exists(detached[1] + ".deleting"));
  CHECK_FALSE(remover.giving_back());
  CHECK(remover.pending().empty());
  REQUIRE(remover.give_back_step());  // nothing left: no-op
  REQUIRE(log->close());
}

TEST_CASE("segments detached but never deleted (a crash) are released after reopening",
          "[wal]") {
  temp_dir tmp;
  auto log = wal_with_small_segments(tmp / "wal");
  const auto before = log->segments();
  REQUIRE(log->save_snapshot({before[2].first_index, 1}));
  auto detached = log->detach_released(before[2].first_index);
  REQUIRE(detached);
  REQUIRE(log->close());
  auto reopened = raftlog::wal::open(tmp / "wal", {before[2].first_index, 1});
  REQUIRE(reopened);
  REQUIRE((*reopened)->read_all());
  CHECK((*reopened)->segments().size() == before.size());
  REQUIRE((*reopened)->release_to(before[2].first_index));
  CHECK(raftlog::list_segments(tmp / "wal").size() == before.size() - 2);
  REQUIRE((*reopened)->close());
}
