// The segment cut's background half (raftlog/cut_finisher.h): append() hands the sealed
// segment's fdatasync and the new segment's rename to a thread; the next sync() waits for it
// and reports its failure. Crashes inside it: wal_crash_test.cpp.
#include <catch2/catch.hpp>

#include "fileio/fault_injection.h"
#include "raftlog/wal.h"
#include "wal_test_support.h"

using namespace raftvault;
using namespace raftvault::testing;

namespace {

raftlog::wal_options cut_every_8k() {
  raftlog::wal_options options;
  options.segment_size = 8192;
  options.etcd_cut_lag = false;
  return options;
}

}  // namespace

TEST_CASE("append() across a cut leaves the sealed segment's fdatasync to the next sync()",
          "[wal][cut]") {
  temp_dir tmp;
  const std::string dir = tmp / "wal";
  {
    auto opened = raftlog::wal::create(dir, "meta", cut_every_8k());
    REQUIRE(opened);
    auto& log = *opened;
    REQUIRE(log->save({1, 1, 0}, make_entries(1, 4, 1, 1000)));
    // The next fdatasync anywhere fails: the finisher's, of the segment being sealed. append()
    // does not wait for it, so it succeeds, and so does a further append into the new segment.
    fileio::inject_fault(fileio::op::fdatasync, 1, EIO);
    REQUIRE(log->append({1, 1, 4}, make_entries(5, 8, 1, 1000)));  // crosses 8 KiB: cut
    REQUIRE(log->segments().size() == 2);
    REQUIRE(log->append({}, make_entries(9, 9, 1, 1000)));
    auto synced = log->sync();
    fileio::clear_faults();
    REQUIRE_FALSE(synced);
    CHECK(synced.error().code() == errc::io);
    CHECK(synced.error().sys_errno() == EIO);
    CHECK_THAT(synced.error().message(), Catch::Contains("fdatasync") &&
                                             Catch::Contains("0000000000000000-0000000000000000.wal"));
    auto later = log->append({}, make_entries(10, 10, 1, 10));
    REQUIRE_FALSE(later);
    CHECK(later.error().code() == errc::closed);
    REQUIRE_FALSE(log->close());
  }
  // Nothing acknowledged is lost; the unsynced entries may or may not be there, the log has no
  // hole, and no spare is left behind.
  auto reopened = raftlog::wal::open(dir, {0, 0}, cut_every_8k());
  REQUIRE(reopened);
  auto read = (*reopened)->read_all();
  REQUIRE(read);
  REQUIRE(read->entries.size() >= 4);
  CHECK(read->entries == make_entries(1, read->entries.size(), 1, 1000));
  REQUIRE((*reopened)->close());
  for (const auto& name : list_files(dir)) CHECK(name.find(".tmp") == std::string::npos);
}

TEST_CASE("after append() across cuts, sync() leaves every segment under its final name",
          "[wal][cut]") {
  temp_dir tmp;
  const std::string dir = tmp / "wal";
  auto opened = raftlog::wal::create(dir, "meta", cut_every_8k());
  REQUIRE(opened);
  auto& log = *opened;
  for (std::uint64_t i = 1; i <= 40; i += 4)
    REQUIRE(log->append({1, 1, i - 1}, make_entries(i, i + 3, 1, 1000)));
  REQUIRE(log->sync());
  const auto segments = log->segments();
  REQUIRE(segments.size() >= 4);
  const auto on_disk = raftlog::list_segments(dir);
  REQUIRE(on_disk.size() == segments.size());
  for (std::size_t i = 0; i < segments.size(); ++i) CHECK(on_disk[i].name == segments[i].name);
  // Durable and readable by a second reader while the writer is still open.
  auto read = raftlog::read_wal(dir, {0, 0});
  REQUIRE(read);
  CHECK(read->entries == make_entries(1, 40, 1, 1000));
  REQUIRE(log->close());
}
