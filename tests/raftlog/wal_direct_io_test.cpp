// wal_options::direct_io (raftlog/tail_writer.h): the same bytes as buffered writes, at every
// block alignment and across cuts and reopens; a file system that refuses the alignment falls
// back to buffered writes; a failed direct write is fail-stop like any other.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <optional>
#include <vector>

#include "fileio/fault_injection.h"
#include "raftlog/tail_writer.h"
#include "raftlog/wal.h"
#include "wal_test_support.h"

using namespace raftvault;
using namespace raftvault::testing;

namespace {

raftlog::wal_options small_segments(bool direct) {
  raftlog::wal_options options;
  options.segment_size = 64 * 1024;  // several cuts in a short test
  options.etcd_cut_lag = false;
  options.direct_io = direct;
  return options;
}

// Entries whose sizes walk through every offset within a 4 KiB block.
std::vector<entry> odd_entries(std::uint64_t first, std::uint64_t last) {
  std::vector<entry> out;
  for (auto i = first; i <= last; ++i) {
    const std::size_t size = (i * 1237) % 5003;
    out.push_back(entry{2, i, entry_type::normal, std::string(size, char('a' + i % 26))});
  }
  return out;
}

// Saves 1..200 in batches of 1-7 entries, closes, reopens, saves 201..300, closes.
void write_two_sessions(const std::string& dir, bool direct) {
  {
    auto created = raftlog::wal::create(dir, "meta", small_segments(direct));
    REQUIRE(created);
    auto& log = **created;
    CHECK(log.writes_direct() == (direct && takes_direct_io(dir)));
    for (std::uint64_t i = 1, batch = 1; i <= 200; i += batch, batch = batch % 7 + 1) {
      const auto last = std::min<std::uint64_t>(i + batch - 1, 200);
      REQUIRE(log.save({2, 1, i - 1}, odd_entries(i, last)));
    }
    CHECK(log.segments().size() > 3);
    REQUIRE(log.close());
  }
  auto opened = raftlog::wal::open(dir, {0, 0}, small_segments(direct));
  REQUIRE(opened);
  auto& log = **opened;
  CHECK(log.writes_direct() == (direct && takes_direct_io(dir)));
  REQUIRE(log.read_all());
  for (std::uint64_t i = 201; i <= 300; i += 3) REQUIRE(log.save({2, 1, i}, odd_entries(i, i + 2)));
  REQUIRE(log.close());
}

}  // namespace

TEST_CASE("direct I/O writes etcd's segments byte for byte", "[wal][direct]") {
  temp_dir tmp;
  auto options = golden_options();
  options.direct_io = true;
  replay_golden_ops(tmp / "wal", options);
  CHECK(wal_digest(tmp / "wal") == expected_wal_digest("plain"));
}

TEST_CASE("direct and buffered writes leave the same files, across cuts and a reopen",
          "[wal][direct]") {
  temp_dir tmp;
  write_two_sessions(tmp / "direct", true);
  write_two_sessions(tmp / "buffered", false);
  CHECK(wal_digest(tmp / "direct") == wal_digest(tmp / "buffered"));
  auto read = raftlog::read_wal(tmp / "direct", {0, 0});
  REQUIRE(read);
  auto expected = odd_entries(1, 200);
  const auto more = odd_entries(201, 302);
  expected.insert(expected.end(), more.begin(), more.end());
  CHECK(read->entries == expected);
}

TEST_CASE("a batch larger than one write chunk goes out in aligned pieces", "[wal][direct]") {
  temp_dir tmp;
  for (const bool direct : {true, false}) {
    raftlog::wal_options options;  // 64 MB segments: the batch stays in one
    options.direct_io = direct;
    const std::string dir = tmp / (direct ? "direct" : "buffered");
    auto created = raftlog::wal::create(dir, "meta", options);
    REQUIRE(created);
    REQUIRE((*created)->save({1, 1, 0}, make_entries(1, 1, 1, 333)));  // an unaligned start
    REQUIRE((*created)->save({1, 1, 1}, make_entries(2, 301, 1, 10007)));  // ~3 MB
    REQUIRE((*created)->close());
  }
  CHECK(wal_digest(tmp / "direct") == wal_digest(tmp / "buffered"));
  auto read = raftlog::read_wal(tmp / "direct", {0, 0});
  REQUIRE(read);
  CHECK(read->entries.size() == 301);
  CHECK(read->entries.back() == make_entries(301, 301, 1, 10007).front());
}

TEST_CASE("a file system refusing the alignment gets buffered writes instead", "[wal][direct]") {
  temp_dir tmp;
  auto created = raftlog::wal::create(tmp / "wal", "meta", small_segments(true));
  REQUIRE(created);
  auto& log = **created;
  // EINVAL is what a direct write gets from a file system with a coarser alignment.
  fileio::inject_fault(fileio::op::write, 1, EINVAL);
  REQUIRE(log.save({1, 1, 0}, make_entries(1, 5, 1, 700)));
  fileio::clear_faults();
  CHECK_FALSE(log.writes_direct());
  REQUIRE(log.save({1, 1, 5}, make_entries(6, 9, 1, 700)));
  REQUIRE(log.close());
  auto read = raftlog::read_wal(tmp / "wal", {0, 0});
  REQUIRE(read);
  CHECK(read->entries == make_entries(1, 9, 1, 700));
}

TEST_CASE("a failed direct write is fail-stop and keeps only acknowledged records",
          "[wal][direct]") {
  temp_dir tmp;
  {
    auto created = raftlog::wal::create(tmp / "wal", "meta", small_segments(true));
    REQUIRE(created);
    auto& log = **created;
    REQUIRE(log.save({1, 1, 0}, make_entries(1, 5, 1, 700)));
    fileio::inject_fault(fileio::op::write, 1, EIO);
    auto failed = log.save({1, 1, 5}, make_entries(6, 9, 1, 700));
    fileio::clear_faults();
    REQUIRE_FALSE(failed);
    CHECK(failed.error().sys_errno() == EIO);
    auto later = log.save({1, 1, 5}, make_entries(6, 9, 1, 700));
    REQUIRE_FALSE(later);
    CHECK(later.error().code() == errc::closed);
    (void)log.close();
  }
  auto read = raftlog::read_wal(tmp / "wal", {0, 0});
  REQUIRE(read);
  CHECK(read->entries == make_entries(1, 5, 1, 700));
}

namespace {

// Whether any extent of [offset, offset + length) of `path` is preallocated but never written
// (FIEMAP_EXTENT_UNWRITTEN); nullopt where the file system has no FIEMAP.
std::optional<bool> has_unwritten(const std::string& path, std::uint64_t offset,
                                  std::uint64_t length) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  REQUIRE(fd >= 0);
  constexpr unsigned kExtents = 64;
  std::vector<char> buffer(sizeof(fiemap) + kExtents * sizeof(fiemap_extent));
  auto* map = reinterpret_cast<fiemap*>(buffer.data());
  map->fm_start = offset;
  map->fm_length = length;
  map->fm_flags = FIEMAP_FLAG_SYNC;
  map->fm_extent_count = kExtents;
  const int rc = ::ioctl(fd, FS_IOC_FIEMAP, map);
  ::close(fd);
  if (rc != 0) return std::nullopt;
  for (unsigned i = 0; i < map->fm_mapped_extents; ++i)
    if (map->fm_extents[i].fe_flags & FIEMAP_EXTENT_UNWRITTEN) return true;
  return false;
}

// A new WAL under `dir` writing with O_DIRECT, with entry 1 (5000 bytes) saved: the header
// filled part of the first block and this record leaves it, so it pads zeros ahead. Null
// (warned) where the file system has no O_DIRECT or no FIEMAP to check extents with.
struct direct_wal {
  std::unique_ptr<raftlog::wal> log;
  std::string segment;  // its path
};
std::optional<direct_wal> direct_wal_with_one_record(const std::string& dir,
                                                     std::uint64_t segment_size) {
  raftlog::wal_options options;
  options.segment_size = segment_size;
  options.direct_io = true;
  auto created = raftlog::wal::create(dir, "meta", options);
  REQUIRE(created);
  direct_wal out{std::move(*created), ""};
  if (!out.log->writes_direct()) {
    WARN("no O_DIRECT on " << dir << ": nothing to check");
    return std::nullopt;
  }
  out.segment = dir + "/" + out.log->segments().back().name;
  REQUIRE(out.log->save({1, 1, 0}, make_entries(1, 1, 1, 5000)));
  if (!has_unwritten(out.segment, 0, 4096)) {
    WARN("no FIEMAP on " << dir << ": nothing to check");
    return std::nullopt;
  }
  return out;
}

}  // namespace

TEST_CASE("small direct writes also write the zeros ahead, so the next ones only overwrite",
          "[wal][direct]") {
  temp_dir tmp;
  const std::uint64_t segment_size = 4 << 20;
  const std::string dir = tmp / "wal";
  auto opened = direct_wal_with_one_record(dir, segment_size);
  if (!opened) return;
  auto& log = *opened->log;
  const std::string segment = opened->segment;
  const auto ahead = raftlog::tail_writer::kZeroAhead;
  CHECK_FALSE(*has_unwritten(segment, 0, ahead));              // written up to the boundary
  CHECK(has_unwritten(segment, ahead, ahead).value_or(false));  // and no further

  // A write as large as the zeros ahead gets none: it converts little for its size.
  REQUIRE(log.save({1, 1, 1}, make_entries(2, 2, 1, ahead + 1000)));
  const auto end = log.segments().back().size_bytes;
  CHECK(end == segment_size);  // zeros ahead never grow the file
  REQUIRE(log.close());

  // The bytes are what a buffered WAL holds: records, then zeros.
  auto read = raftlog::read_wal(dir, {0, 0});
  REQUIRE(read);
  CHECK(read->entries.size() == 2);
  const std::string bytes = read_bytes(segment);
  CHECK(bytes.size() == segment_size);
  CHECK(bytes.find_first_not_of('\0', 2 * ahead) == std::string::npos);
}

TEST_CASE("zero_ahead writes zeros past the records: the file reads the same, appends there "
          "only overwrite", "[wal][direct]") {
  temp_dir tmp;
  const std::uint64_t segment_size = 1 << 20;
  const std::string dir = tmp / "wal";
  auto opened = direct_wal_with_one_record(dir, segment_size);
  if (!opened) return;
  auto& log = *opened->log;
  const std::string segment = opened->segment;
  const std::uint64_t ahead = raftlog::tail_writer::kZeroAhead;
  const auto zeroed_before = log.zeroed_ahead();
  CHECK(zeroed_before == ahead - 8192);  // the record ends in the second block
  CHECK(has_unwritten(segment, ahead, ahead) == std::optional<bool>(true));
  const std::string bytes_before = read_bytes(segment);

  auto zeroed = log.zero_ahead(ahead);
  REQUIRE(zeroed);
  CHECK(*zeroed == ahead);
  CHECK(log.zeroed_ahead() == zeroed_before + ahead);
  CHECK(has_unwritten(segment, 0, 2 * ahead) == std::optional<bool>(false));
  CHECK(has_unwritten(segment, 2 * ahead, ahead) == std::optional<bool>(true));
  CHECK(read_bytes(segment) == bytes_before);  // preallocated space read as zeros already

  // Small appends up to just below 2 * ahead pad no zeros of their own: the rest stays unwritten.
  std::uint64_t index = 2;
  while (log.zeroed_ahead() > 3 * 4096) {
    REQUIRE(log.save({1, 1, index - 1}, make_entries(index, index, 1, 3000)));
    ++index;
  }
  CHECK(has_unwritten(segment, 2 * ahead, ahead) == std::optional<bool>(true));

  // Never past the segment's end, never growing the file.
  zeroed = log.zero_ahead(8 << 20);
  REQUIRE(zeroed);
  CHECK(*zeroed == segment_size - 2 * ahead);
  CHECK(has_unwritten(segment, 0, segment_size) == std::optional<bool>(false));
  zeroed = log.zero_ahead(ahead);
  REQUIRE(zeroed);
  CHECK(*zeroed == 0);
  CHECK(log.segments().back().size_bytes == segment_size);
  REQUIRE(log.close());
  CHECK_FALSE(log.zero_ahead(ahead));  // closed: refused

  auto read = raftlog::read_wal(dir, {0, 0});
  REQUIRE(read);
  CHECK(read->entries.size() == index - 1);
  const std::string bytes = read_bytes(segment);
  CHECK(bytes.size() == segment_size);
}

TEST_CASE("zero_ahead does nothing to a buffered WAL", "[wal][direct]") {
  temp_dir tmp;
  raftlog::wal_options options;
  options.segment_size = 1 << 20;
  auto created = raftlog::wal::create(tmp / "wal", "meta", options);
  REQUIRE(created);
  auto& log = **created;
  REQUIRE(log.save({1, 1, 0}, make_entries(1, 1, 1, 5000)));
  CHECK(log.zeroed_ahead() == 0);
  auto zeroed = log.zero_ahead(raftlog::tail_writer::kZeroAhead);
  REQUIRE(zeroed);
  CHECK(*zeroed == 0);
  REQUIRE(log.close());
}
