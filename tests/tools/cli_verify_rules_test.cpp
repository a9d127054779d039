// `raftvault verify` checks raft's rules over the records on disk (raftlog/log_rules.h) and
// names every violation with its file, offset and index; the store is left as it is.
#include "actors/held_keys.h"
#include "cli_fixtures.h"
#include "keys/key_store.h"

using namespace raftvault;
using namespace raftvault::testing;

namespace {

std::vector<entry> entries(std::uint64_t first, std::uint64_t count, std::uint64_t term) {
  std::vector<entry> out(count);
  for (std::uint64_t i = 0; i < count; ++i) {
    out[i].index = first + i;
    out[i].term = term;
    out[i].data = "entry " + std::to_string(first + i);
  }
  return out;
}

// A store made by `raftvault init`, then written through the library below the storage's
// checks by `write`.
template <class Write>
std::string store_with(const temp_dir& dir, Write write) {
  const std::string store = dir / "store";
  REQUIRE(run_raftvault({"init", "--data-dir", store}).exit_code == 0);
  auto keys = keys::key_store::open(store + "/keys");
  REQUIRE(keys);
  auto codec = actors::codec_for(*keys, codec::cipher::xchacha20poly1305);
  REQUIRE(codec);
  raftlog::recovered_state read;
  auto log = raftlog::encrypted_log::open(store, *codec, read, {});
  REQUIRE(log);
  write(**log);
  REQUIRE((*log)->close());
  return store;
}

}  // namespace

TEST_CASE("verify: a log that follows raft's rules passes", "[cli][verify][rules]") {
  temp_dir dir;
  const auto store = store_with(dir, [](raftlog::encrypted_log& log) {
    REQUIRE(log.save({2, 1, 3}, entries(1, 5, 2)));
    REQUIRE(log.save({3, 2, 4}, entries(5, 3, 3)));  // overwrite above the commit, newer term
  });
  auto r = run_raftvault({"verify", "--data-dir", store});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("result: ok"));
}

TEST_CASE("verify: names every record that breaks raft's rules, and changes nothing", "[cli][verify][rules]") {
  temp_dir dir;
  const auto store = store_with(dir, [](raftlog::encrypted_log& log) {
    REQUIRE(log.save({2, 1, 3}, entries(1, 5, 2)));
    REQUIRE(log.save({}, entries(3, 1, 3)));   // overwrites committed entry 3
    REQUIRE(log.save({2, 4, 3}, {}));          // a second vote in term 2
    REQUIRE(log.save({}, entries(4, 2, 1)));   // a term below entry 3's
  });
  const auto before = tree_digest(store);
  auto r = run_raftvault({"verify", "--data-dir", store});
  INFO(r.err);
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("raft rule broken: ") &&
                        Catch::Contains("entry 3 (term 3) would overwrite the log at or below the commit index 3") &&
                        Catch::Contains("vote 4 in term 2 changes the vote already cast in that term for 1") &&
                        Catch::Contains("entry 4 has term 1, below the term 3 of entry 3") &&
                        Catch::Contains("wal-v3-encrypted/") && Catch::Contains(" offset ") &&
                        Catch::Contains("3 raft rule violation(s)"));
  CHECK(tree_digest(store) == before);
}
