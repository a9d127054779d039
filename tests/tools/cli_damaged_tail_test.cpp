// Damage near the end of a store's log, through the real binary: a flipped length word is
// corruption every command refuses (nothing changed), a cut-off tail is refused after a clean
// close and keeps the snapshot usable after a crash, and a missing snapshot file is named as
// the cause.
#include "cli_fixtures.h"
#include "raftlog/wal_test_support.h"

using namespace raftvault;
using namespace raftvault::testing;

namespace {

const char* kFirstSegment = "/wal-v3-encrypted/0000000000000000-0000000000000000.wal";

// The golden etcd vectors imported into one 1 MiB segment of a locked store.
struct imported_store {
  vector_copy vectors;
  temp_dir dir;
  std::string store = dir / "node";
  std::string segment = store + kFirstSegment;
  std::map<std::string, std::string> env;
  imported_store() {
    auto imported = run_raftvault({"import", "--wal-dir", vectors.wal, "--snap-dir", vectors.snap,
                                   "--data-dir", store, "--autolock", "--segment-size", "1048576"});
    INFO(imported.err);
    REQUIRE(imported.exit_code == 0);
    std::string key = imported.out;
    while (!key.empty() && key.back() == '\n') key.pop_back();
    env["RAFTVAULT_UNLOCK_KEY"] = key;
  }
  run_result run(std::vector<std::string> args) const {
    args.insert(args.begin() + 1, {"--data-dir", store});
    return run_raftvault(args, env);
  }
};

}  // namespace

TEST_CASE("a flipped padding flag in the last segment is refused by every command", "[cli][torn]") {
  imported_store s;
  std::string bytes = read_bytes(s.segment);
  // Byte 63 is the top byte of the third frame's length word: 0x80 | padding.
  REQUIRE((static_cast<unsigned char>(bytes[63]) & 0x80) != 0);
  bytes[63] = static_cast<char>(bytes[63] ^ 0x80);
  write_bytes(s.segment, bytes);
  const auto before = tree_digest(s.store);

  for (const auto& args : std::vector<std::vector<std::string>>{
           {"verify"}, {"dump"}, {"status"}, {"rotate-dek"}, {"export", "--out", s.dir / "out"}}) {
    auto result = s.run(args);
    INFO(args[0] << ": " << result.out << result.err);
    CHECK(result.exit_code == 1);
    CHECK_THAT(result.err, Catch::Contains(s.segment));
    CHECK_THAT(result.err, Catch::Contains("byte offset"));
    CHECK_THAT(result.out, !Catch::Contains("result: ok"));
  }
  CHECK(tree_digest(s.store) == before);
  CHECK_FALSE(std::filesystem::exists(s.dir / "out"));
}

TEST_CASE("a log cut off at a frame boundary is refused, or keeps its snapshot after a crash",
          "[cli][torn]") {
  imported_store s;
  // Drop the last quarter of the frames, the final hard state with them.
  const auto offsets = frame_offsets(s.segment);
  REQUIRE(offsets.size() > 40);
  const std::uint64_t cut = offsets[offsets.size() * 3 / 4];
  truncate_file(s.segment, cut);

  SECTION("closed cleanly: the recorded end names the damage") {
    const auto before = tree_digest(s.store);
    for (const char* command : {"dump", "verify", "status"}) {
      auto result = s.run({command});
      INFO(command << ": " << result.out << result.err);
      CHECK(result.exit_code == 1);
      CHECK_THAT(result.err, Catch::Contains(s.segment + " at byte offset " + std::to_string(cut)));
      CHECK_THAT(result.err, Catch::Contains("closed cleanly") &&
                                 Catch::Contains("remove " + s.store +
                                                 "/wal-v3-encrypted/raftvault.end"));
    }
    CHECK(tree_digest(s.store) == before);
  }
  SECTION("after a crash (no recorded end): the snapshot stays usable") {
    forget_clean_close(s.store + "/wal-v3-encrypted");
    auto dumped = s.run({"dump", "--json"});
    INFO(dumped.err);
    REQUIRE(dumped.exit_code == 0);
    CHECK_THAT(dumped.out, Catch::Contains("\"snapshot\":{\"index\":20,\"term\":2"));
    auto verified = s.run({"verify"});
    INFO(verified.out << verified.err);
    CHECK(verified.exit_code == 0);
    CHECK_THAT(verified.out, Catch::Contains("restart reads  snapshot 20 (term 2)"));
  }
}

TEST_CASE("a missing snapshot file or directory is named as the cause", "[cli][torn]") {
  imported_store s;
  const std::string snap_dir = s.store + "/snap-v3-encrypted";
  const std::string snap = snap_dir + "/0000000000000002-0000000000000014.snap";
  REQUIRE(std::filesystem::exists(snap));

  SECTION("the .snap file") {
    std::filesystem::remove(snap);
    for (const char* command : {"dump", "verify", "status"}) {
      auto result = s.run({command});
      INFO(command << ": " << result.err);
      CHECK(result.exit_code == 1);
      CHECK_THAT(result.err, Catch::Contains(snap + " does not exist"));
    }
  }
  SECTION("the snap directory") {
    std::filesystem::remove_all(snap_dir);
    auto result = s.run({"dump"});
    INFO(result.err);
    CHECK(result.exit_code == 1);
    CHECK_THAT(result.err, Catch::Contains("the snapshot directory " + snap_dir + " is missing"));
  }
}
