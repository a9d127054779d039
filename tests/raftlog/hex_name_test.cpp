// etcd's `%016x-%016x<suffix>` file names, for WAL segments and snapshots alike: exactly the form
// etcd writes is accepted, anything else (temp and .broken files, upper case, other lengths) is not.
#include <catch2/catch.hpp>

#include "raftlog/hex_name.h"
#include "raftlog/segment_name.h"
#include "raftlog/snap_file.h"

using namespace raftvault;
using namespace raftvault::raftlog;

TEST_CASE("hex names format and parse etcd's %016x-%016x form only", "[raftlog][names]") {
  CHECK(format_hex_name(0, 0, ".wal") == "0000000000000000-0000000000000000.wal");
  CHECK(format_hex_name(0x1a, UINT64_MAX, ".snap") == "000000000000001a-ffffffffffffffff.snap");
  auto max = parse_hex_name("ffffffffffffffff-000000000000001a.snap", ".snap");
  REQUIRE(max.has_value());
  CHECK(max->first == UINT64_MAX);
  CHECK(max->second == 0x1a);

  for (const char* name : {"000000000000001A-0000000000000002.wal",   // upper case
                           "000000000000001-00000000000000002.wal",   // '-' misplaced
                           "00000000000000010000000000000002x.wal",   // no '-'
                           "0000000000000001-0000000000000002.wal.tmp",
                           "0000000000000001-0000000000000002.snap",  // other suffix
                           "0000000000000001-000000000000000g.wal",
                           "0000000000000001-0000000000000002",
                           ""}) {
    CAPTURE(name);
    CHECK_FALSE(parse_hex_name(name, ".wal").has_value());
  }
}

TEST_CASE("segment and snapshot names put their numbers in etcd's order", "[raftlog][names]") {
  CHECK(format_segment_name(3, 0x10) == "0000000000000003-0000000000000010.wal");
  auto segment = parse_segment_name("0000000000000003-0000000000000010.wal");
  REQUIRE(segment.has_value());
  CHECK(segment->sequence == 3);
  CHECK(segment->first_index == 0x10);
  CHECK(segment->name == "0000000000000003-0000000000000010.wal");
  CHECK_FALSE(parse_segment_name("0000000000000003-0000000000000010.snap").has_value());

  // Snapshots are named term, then index.
  CHECK(snap_file_name(snapshot_marker{0x10, 3}) == "0000000000000003-0000000000000010.snap");
  auto snap = parse_snap_file_name("0000000000000003-0000000000000010.snap");
  REQUIRE(snap.has_value());
  CHECK(snap->term == 3);
  CHECK(snap->index == 0x10);
  CHECK_FALSE(parse_snap_file_name("0000000000000003-0000000000000010.snap.broken").has_value());
  CHECK_FALSE(parse_snap_file_name("0000000000000003-0000000000000010.wal").has_value());
}
