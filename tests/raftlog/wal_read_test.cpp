// Reading etcd 3.4's own WAL files (shared/vectors/etcd-3.4): every entry, the hard state, the
// metadata and the snapshot records expected.json lists, through read_wal and wal::open.
#include <catch2/catch.hpp>

#include "raftlog/wal.h"
#include "wal_test_support.h"

using namespace raftvault;
using namespace raftvault::testing;

namespace {

// Checks entries against expected.json's `entries[]` (plaintext data, or the secretbox
// dataset's raw Entry.Data records).
void check_entries(const std::vector<entry>& entries, std::uint64_t first, bool secretbox) {
  const auto& expected = expected_json()["entries"].as_array();
  REQUIRE(entries.size() == expected.size() - (first - 1));
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const auto& want = expected[first - 1 + i];
    const entry& got = entries[i];
    INFO("entry " << want["index"].as_uint());
    CHECK(got.index == want["index"].as_uint());
    CHECK(got.term == want["term"].as_uint());
    CHECK(static_cast<std::uint32_t>(got.type) == want["type"].as_uint());
    if (secretbox) {
      CHECK(got.data.size() == want["secretbox"]["record_len"].as_uint());
      CHECK(sha256_hex(got.data) == want["secretbox"]["record_sha256"].as_string());
    } else {
      CHECK(got.data.size() == want["data_len"].as_uint());
      CHECK(sha256_hex(got.data) == want["data_sha256"].as_string());
      // The MANIFEST's data rules generate exactly these bytes (the write test relies on it).
      CHECK(got.data == golden_entry(got.index, got.term).data);
    }
  }
}

}  // namespace

TEST_CASE("read_wal returns every entry of etcd's vectors, from index 0 and from the snapshot",
          "[wal][vectors]") {
  struct read_case {
    const char* dataset;
    snapshot_marker at;
    std::uint64_t first;
  };
  const read_case cases[] = {
      {"plain-wal", {0, 0}, 1},
      {"plain-wal", {20, 2}, 21},
      {"secretbox-wal", {0, 0}, 1},
      {"secretbox-wal", {20, 2}, 21},
  };
  for (const auto& c : cases) {
    SECTION(std::string(c.dataset) + " at index " + std::to_string(c.at.index)) {
      temp_dir tmp;
      copy_tree(etcd_vectors(c.dataset), tmp / "wal");
      const bool secretbox = std::string(c.dataset) == "secretbox-wal";

      auto read = raftlog::read_wal(tmp / "wal", c.at);
      REQUIRE(read);
      CHECK(read->metadata == "golden-metadata");
      CHECK(read->state == hard_state{4, 2, 124});
      check_entries(read->entries, c.first, secretbox);

      auto markers = raftlog::valid_snapshot_markers(tmp / "wal");
      REQUIRE(markers);
      CHECK(*markers == std::vector<snapshot_marker>{{0, 0}, {20, 2}});
      CHECK(raftlog::verify_wal(tmp / "wal", c.at));

      // The writer's open reads the same and changes none of etcd's files.
      const std::string before = wal_digest(tmp / "wal");
      {
        auto log = raftlog::wal::open(tmp / "wal", c.at);
        REQUIRE(log);
        auto all = (*log)->read_all();
        REQUIRE(all);
        CHECK(all->state == hard_state{4, 2, 124});
        check_entries(all->entries, c.first, secretbox);
        CHECK((*log)->last_index() == 124);
        REQUIRE((*log)->close());
      }
      CHECK(wal_digest(tmp / "wal") == before);
      // Four segments, raftvault.lock and the recorded end (etcd reads only *.wal names).
      CHECK(list_files(tmp / "wal").size() == 6);
    }
  }
}

TEST_CASE("segments are listed with etcd's names, sequence and first index", "[wal][vectors]") {
  temp_dir tmp;
  copy_tree(etcd_vectors("plain-wal"), tmp / "wal");
  const auto segments = raftlog::list_segments(tmp / "wal");
  const auto& expected = expected_json()["datasets"]["plain"]["segments"].as_array();
  REQUIRE(segments.size() == expected.size());
  for (std::size_t i = 0; i < segments.size(); ++i) {
    CHECK(segments[i].name == expected[i]["name"].as_string());
    CHECK(segments[i].sequence == expected[i]["seq"].as_uint());
    CHECK(segments[i].first_index == expected[i]["index"].as_uint());
    CHECK(segments[i].size_bytes == expected[i]["size"].as_uint());
  }
  CHECK(raftlog::wal_exists(tmp / "wal"));
  CHECK_FALSE(raftlog::wal_exists(tmp / "nothing-here"));
}

TEST_CASE("reading at a snapshot the WAL does not record is refused", "[wal][vectors]") {
  temp_dir tmp;
  copy_tree(etcd_vectors("plain-wal"), tmp / "wal");
  auto missing = raftlog::read_wal(tmp / "wal", {30, 2});
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code() == errc::not_found);
  CHECK(missing.error().message().find("snapshot record {index 30, term 2} not found") !=
        std::string::npos);

  auto mismatch = raftlog::read_wal(tmp / "wal", {20, 3});
  REQUIRE_FALSE(mismatch);
  CHECK(mismatch.error().code() == errc::corruption);
  CHECK(mismatch.error().message().find("snapshot mismatch: the WAL records {index 20, term 2}") !=
        std::string::npos);
  CHECK(mismatch.error().message().find("0000000000000000-0000000000000000.wal at byte offset") !=
        std::string::npos);
}
