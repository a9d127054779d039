// Damage in files a restart does not read (an older .snap, an entry before the snapshot):
// verify still fails on it, and rotate-dek, which would drop those files, refuses the store
// before anything changes.
#include "actors/held_keys.h"
#include "cli_fixtures.h"
#include "codec/wal_record.h"
#include "keys/key_store.h"
#include "raftlog/encryption_fixtures.h"
#include "support/json_lite.h"

using namespace raftvault;
using namespace raftvault::testing;

namespace {

// Entries 1..40 and snapshots at 10 and 30, as a service writes them, into an existing store.
void write_log(const std::string& store, std::shared_ptr<const raftlog::payload_codec> codec) {
  raftlog::recovered_state read;
  raftlog::log_options options;
  options.wal.segment_size = 1 << 20;
  auto log = raftlog::encrypted_log::open(store, std::move(codec), read, options);
  REQUIRE(log);
  REQUIRE((*log)->save(hard_state{1, 1, 40}, make_entries(1, 40, 1)));
  for (std::uint64_t at : {10, 30}) {
    snapshot snap;
    snap.data = "state machine at " + std::to_string(at);
    snap.metadata.index = at;
    snap.metadata.term = 1;
    snap.metadata.conf.voters = {1};
    REQUIRE((*log)->save_snapshot(snap));
  }
  REQUIRE((*log)->close());
}

// An unlocked store (made by `raftvault init`) holding entries 1..40 in one segment and
// snapshots at 10 and 30.
struct written_store {
  temp_dir dir;
  std::string store = dir / "store";
  std::string wal_dir = store + "/wal-v3-encrypted";
  std::string snap_dir = store + "/snap-v3-encrypted";
  written_store() {
    REQUIRE(run_raftvault({"init", "--data-dir", store, "--segment-size", "1048576"}).exit_code == 0);
    auto keys = keys::key_store::open(store + "/keys");
    REQUIRE(keys);
    auto codec = actors::codec_for(*keys, codec::cipher::xchacha20poly1305);
    REQUIRE(codec);
    write_log(store, *codec);
  }
  std::string snap_file(std::uint64_t index) const {
    return snap_dir + "/" + raftlog::snapshotter::file_name({index, 1});
  }
};

void flip_byte(const std::string& path, std::size_t at) {
  auto bytes = read_bytes(path);
  REQUIRE(at < bytes.size());
  bytes[at] = static_cast<char>(bytes[at] ^ 0x01);
  write_bytes(path, bytes);
}

}  // namespace

TEST_CASE("verify fails on a tampered entry before the snapshot whose key is held", "[cli][errors]") {
  written_store s;
  // Flip a ciphertext byte of entry 4 and re-chain the CRCs, as anyone who can write the file
  // can: only the payload's authentication tag can catch it.
  rewrite_wal(s.wal_dir, [](std::vector<segment_frame>& frames) {
    for (std::size_t p : entry_frame_positions(frames)) {
      auto e = codec::decode_entry(frames[p].data);
      REQUIRE(e);
      if (e->index != 4) continue;
      e->data[e->data.size() / 2] = static_cast<char>(e->data[e->data.size() / 2] ^ 0x01);  // ciphertext
      frames[p].data = codec::encode_entry(*e);
    }
  });
  const auto before = tree_digest(s.store);
  auto verified = run_raftvault({"verify", "--data-dir", s.store});
  INFO(verified.out << verified.err);
  CHECK(verified.exit_code == 1);
  CHECK_THAT(verified.err, Catch::Contains(s.wal_dir) && Catch::Contains("entry index 4 term 1") &&
                               Catch::Contains("authentication failed"));
  CHECK(tree_digest(s.store) == before);
}

TEST_CASE("rotate-dek refuses a store with a damaged snapshot file, used or not", "[cli][errors]") {
  for (std::uint64_t damaged : {10, 30}) {
    CAPTURE(damaged);
    written_store s;
    flip_byte(s.snap_file(damaged), 20);
    const auto before = tree_digest(s.store);
    auto rotated = run_raftvault({"rotate-dek", "--data-dir", s.store});
    INFO(rotated.out << rotated.err);
    CHECK(rotated.exit_code == 1);
    CHECK_THAT(rotated.err, Catch::StartsWith("raftvault: ") && Catch::Contains(s.snap_file(damaged)) &&
                                Catch::Contains("crc mismatch"));
    CHECK(rotated.out.empty());
    CHECK(tree_digest(s.store) == before);  // the damaged file is still there to inspect
  }
}

TEST_CASE("verify counts entries before the snapshot under a retired key, not as damage", "[cli]") {
  // What a service's rotation leaves: a forced snapshot sealed with the new key, older entries
  // still in the WAL under the retired one, and no snapshot file only that key opens.
  written_store s;
  {
    auto keys = keys::key_store::open(s.store + "/keys");
    REQUIRE(keys);
    REQUIRE(keys->prepare_rotation());
    auto codec = actors::codec_for(*keys, codec::cipher::xchacha20poly1305);  // seals with P
    REQUIRE(codec);
    raftlog::recovered_state read;
    raftlog::log_options options;
    options.wal.segment_size = 1 << 20;
    auto log = raftlog::encrypted_log::open(s.store, *codec, read, options);
    REQUIRE(log);
    snapshot forced;
    forced.data = "state machine at 40";
    forced.metadata.index = 40;
    forced.metadata.term = 1;
    forced.metadata.conf.voters = {1};
    REQUIRE((*log)->save_snapshot(forced));
    REQUIRE((*log)->close());
    REQUIRE(keys->complete_rotation());
  }
  for (std::uint64_t old : {10, 30}) std::filesystem::remove(s.snap_file(old));
  auto verified = run_raftvault({"verify", "--data-dir", s.store});
  INFO(verified.err);
  CHECK(verified.exit_code == 0);
  CHECK_THAT(verified.out, Catch::Contains("40 records, 0 authenticated, 40 before the snapshot under a retired key"));
}

TEST_CASE("status, dump, export and import say so when a damaged newest snapshot is skipped",
          "[cli][errors]") {
  written_store s;
  flip_byte(s.snap_file(30), 20);
  const auto before = tree_digest(s.store);
  const auto check_warned = [&](const std::string& err) {
    CHECK_THAT(err, Catch::Contains("warning: a newer snapshot is damaged and was skipped") &&
                        Catch::Contains(s.snap_file(30)) && Catch::Contains("raftvault verify"));
  };
  auto status = run_raftvault({"status", "--data-dir", s.store});
  CHECK(status.exit_code == 0);
  check_warned(status.err);
  CHECK_THAT(status.out, Catch::Contains("index 10, term 1"));  // the older one, as a restart reads
  auto as_json = run_raftvault({"status", "--data-dir", s.store, "--json"});
  REQUIRE(as_json.exit_code == 0);
  auto st = json::parse(as_json.out);
  CHECK(st["snapshot_index"].as_uint() == 10);
  CHECK_THAT(st["skipped_snapshot"].as_string(), Catch::Contains(s.snap_file(30)));
  auto dumped = run_raftvault({"dump", "--data-dir", s.store});
  CHECK(dumped.exit_code == 0);
  check_warned(dumped.err);
  auto exported = run_raftvault({"export", "--data-dir", s.store, "--out", s.dir / "out"});
  CHECK(exported.exit_code == 0);
  check_warned(exported.err);
  CHECK(tree_digest(s.store) == before);  // nothing renamed .broken by a read-only command

  // The same damage in a plain etcd source (a plaintext store's wal-v3/ + snap-v3/) being imported.
  const std::string plain = s.dir / "plain";
  REQUIRE(run_raftvault({"init", "--cipher", "none", "--data-dir", plain}).exit_code == 0);
  write_log(plain, raftlog::payload_codec::plaintext());
  const std::string plain_snap = plain + "/snap-v3/" + raftlog::snapshotter::file_name({30, 1});
  flip_byte(plain_snap, 20);
  auto imported = run_raftvault({"import", "--wal-dir", plain + "/wal-v3", "--snap-dir", plain + "/snap-v3",
                                 "--data-dir", s.dir / "imported"});
  INFO(imported.err);
  CHECK(imported.exit_code == 0);
  CHECK_THAT(imported.err, Catch::Contains("the source's newest snapshot is damaged and was skipped") &&
                               Catch::Contains(plain_snap));

  // Healthy: no warning, and null in JSON.
  written_store healthy;
  auto quiet = run_raftvault({"status", "--data-dir", healthy.store, "--json"});
  REQUIRE(quiet.exit_code == 0);
  CHECK(quiet.err.empty());
  CHECK(json::parse(quiet.out)["skipped_snapshot"].is_null());
}

TEST_CASE("verify notes non-zero bytes after the clean end of the last segment", "[cli]") {
  written_store s;
  const auto segments = raftlog::list_segments(s.wal_dir);
  REQUIRE(segments.size() == 1);
  const std::string segment = s.wal_dir + "/" + segments.back().name;
  auto bytes = read_bytes(segment);
  REQUIRE(bytes.size() > 4096);
  REQUIRE(bytes[bytes.size() - 100] == 0);  // preallocated, past the records
  bytes[bytes.size() - 100] = '\x7f';
  write_bytes(segment, bytes);
  const auto before = tree_digest(s.store);
  auto verified = run_raftvault({"verify", "--data-dir", s.store});
  INFO(verified.out << verified.err);
  CHECK(verified.exit_code == 0);
  CHECK_THAT(verified.out, Catch::Contains("non-zero bytes after the clean end") && Catch::Contains(segment));
  CHECK(tree_digest(s.store) == before);
  written_store clean;
  auto quiet = run_raftvault({"verify", "--data-dir", clean.store});
  CHECK(quiet.exit_code == 0);
  CHECK_THAT(quiet.out, !Catch::Contains("after the clean end"));
}
