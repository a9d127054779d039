// wal's entry-data hook: what it returns is what the WAL stores, and a hook failing part way
// through a batch (or returning a record past etcd's limit) leaves the WAL byte for byte as it
// was and still usable. The encrypted log's sealing hook is covered by encrypted_log_test.cpp.
#include <catch2/catch.hpp>

#include "raftlog/wal.h"
#include "wal_test_support.h"

using namespace raftvault;
using namespace raftvault::testing;

namespace {

// Stores "<index>:" + data; fails at `fail_at` (0: never), or returns `huge` bytes there.
struct tagging_hook final : raftlog::entry_data_hook {
  std::uint64_t fail_at = 0;
  std::size_t huge = 0;
  std::string out;
  result<std::string_view> data_for(const entry& e) override {
    if (e.index == fail_at && huge == 0)
      return error(errc::io, "hook failed at " + std::to_string(e.index));
    out = e.index == fail_at ? std::string(huge, 'x') : std::to_string(e.index) + ":" + e.data;
    return std::string_view(out);
  }
};

std::vector<entry> tagged(std::vector<entry> entries) {
  for (auto& e : entries) e.data = std::to_string(e.index) + ":" + e.data;
  return entries;
}

}  // namespace

TEST_CASE("a hooked save stores the hook's data for every entry", "[wal][hook]") {
  temp_dir tmp;
  const std::string dir = tmp / "wal";
  auto log = raftlog::wal::create(dir, "meta");
  REQUIRE(log);
  tagging_hook hook;
  REQUIRE((*log)->save({1, 1, 0}, make_entries(1, 10, 1, 300), hook));
  REQUIRE((*log)->append({1, 1, 10}, make_entries(11, 12, 1, 0), hook));
  REQUIRE((*log)->sync());
  REQUIRE((*log)->close());
  auto read = raftlog::read_wal(dir, {0, 0});
  REQUIRE(read);
  auto expected = make_entries(1, 10, 1, 300);
  const auto empty_data = make_entries(11, 12, 1, 0);
  expected.insert(expected.end(), empty_data.begin(), empty_data.end());
  CHECK(read->entries == tagged(expected));
  CHECK(read->state == hard_state{1, 1, 10});
}

TEST_CASE("a hook failing part way leaves the WAL as it was and usable", "[wal][hook]") {
  struct fail_case {
    const char* what;
    std::size_t huge;
    errc code;
  };
  const fail_case cases[] = {
      {"the hook returns an error", 0, errc::io},
      {"the hook returns a record past the 10 MiB limit", 10 * 1024 * 1024, errc::invalid_argument},
  };
  for (const auto& c : cases) {
    SECTION(c.what) {
      temp_dir tmp;
      const std::string dir = tmp / "wal";
      auto opened = raftlog::wal::create(dir, "meta");
      REQUIRE(opened);
      auto& log = *opened;
      REQUIRE(log->save({1, 1, 0}, make_entries(1, 4, 1, 100)));
      const std::string before = wal_digest(dir);

      tagging_hook hook;
      hook.fail_at = 7;
      hook.huge = c.huge;
      auto failed = log->save({1, 1, 4}, make_entries(5, 9, 1, 100), hook);
      REQUIRE_FALSE(failed);
      CHECK(failed.error().code() == c.code);
      CHECK(wal_digest(dir) == before);
      CHECK(log->last_index() == 4);

      // Not fail-stop: the same indexes go in next, and the CRC chain reads back intact.
      REQUIRE(log->save({1, 1, 4}, make_entries(5, 9, 1, 100)));
      REQUIRE(log->close());
      auto read = raftlog::read_wal(dir, {0, 0});
      REQUIRE(read);
      CHECK(read->entries == make_entries(1, 9, 1, 100));
      CHECK(read->state == hard_state{1, 1, 4});
    }
  }
}
