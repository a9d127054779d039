// wal::append with the entries' data CRCs computed elsewhere (the pipeline's crypto workers):
// the same segments byte for byte as when the WAL reads the data itself, across cuts, in both
// write modes; a CRC list of the wrong size is refused with nothing written.
#include <catch2/catch.hpp>

#include <filesystem>

#include "codec/crc32c.h"
#include "raftlog/wal.h"
#include "wal_test_support.h"

using namespace raftvault;
using namespace raftvault::testing;

namespace {

std::vector<std::uint32_t> data_crcs(const std::vector<entry>& entries) {
  std::vector<std::uint32_t> out;
  for (const auto& e : entries) out.push_back(codec::crc32c_update(0, e.data));
  return out;
}

// Writes 300 entries (sizes walking through every in-block offset, some empty) in appends of
// 7, syncing every third, into `dir`; with the CRCs handed over or not.
void write_log(const std::string& dir, bool direct, bool with_crcs) {
  raftlog::wal_options options;
  options.segment_size = 64 * 1024;  // several cuts
  options.etcd_cut_lag = false;
  options.direct_io = direct;
  auto created = raftlog::wal::create(dir, "meta", options);
  REQUIRE(created);
  auto& log = **created;
  for (std::uint64_t first = 1, n = 0; first <= 300; first += 7, ++n) {
    std::vector<entry> entries;
    for (auto i = first; i < first + 7 && i <= 300; ++i)
      entries.push_back(entry{1, i, entry_type::normal, std::string((i * 1237) % 3001, char('a' + i % 26))});
    const hard_state state{1, 1, first - 1};
    if (with_crcs) {
      REQUIRE(log.append(state, entries, data_crcs(entries)));
    } else {
      REQUIRE(log.append(state, entries));
    }
    if (n % 3 == 2) REQUIRE(log.sync());
  }
  REQUIRE(log.sync());
  REQUIRE(log.close());
}

}  // namespace

TEST_CASE("appends with precomputed data CRCs write the same segments", "[wal][crc]") {
  for (const bool direct : {false, true}) {
    INFO("direct " << direct);
    temp_dir tmp;
    write_log(tmp / "read", direct, false);
    write_log(tmp / "handed", direct, true);
    std::size_t segments = 0;
    for (const auto& file : std::filesystem::directory_iterator(tmp / "read")) {
      const auto name = file.path().filename().string();
      if (name.size() < 4 || name.substr(name.size() - 4) != ".wal") continue;
      ++segments;
      INFO(name);
      CHECK(read_bytes(file.path().string()) == read_bytes(tmp / "handed" + "/" + name));
    }
    CHECK(segments > 3);
    auto read = raftlog::read_wal(tmp / "handed", {0, 0});
    REQUIRE(read);
    CHECK(read->entries.size() == 300);
  }
}

TEST_CASE("a data CRC list of the wrong size is refused and nothing is written", "[wal][crc]") {
  temp_dir tmp;
  raftlog::wal_options options;
  auto created = raftlog::wal::create(tmp / "wal", "meta", options);
  REQUIRE(created);
  auto& log = **created;
  const auto entries = make_entries(1, 3, 1, 100);
  auto crcs = data_crcs(entries);
  crcs.pop_back();
  auto refused = log.append({1, 1, 0}, entries, crcs);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code() == errc::invalid_argument);
  CHECK_THAT(refused.error().message(), Catch::Contains("2 data CRCs for 3 entries"));
  // Not fail-stop: the WAL takes the same entries with the right list.
  REQUIRE(log.append({1, 1, 0}, entries, data_crcs(entries)));
  REQUIRE(log.close());
  auto read = raftlog::read_wal(tmp / "wal", {0, 0});
  REQUIRE(read);
  CHECK(read->entries.size() == 3);
}
