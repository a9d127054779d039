// Migration both ways: the plaintext etcd vectors -> encrypted store -> plaintext etcd
// directories give back the same entries, hard state and snapshot (the exported .snap is the
// vector file byte for byte), and a crash at every step leaves the old or the new store usable.
#include "raftlog/migration.h"

#include <catch2/catch.hpp>

#include <algorithm>

#include "fileio/crash_point.h"
#include "fileio/fault_injection.h"
#include "fileio/file.h"
#include "raftlog/encrypted_log.h"
#include "raftlog/encryption_fixtures.h"
#include "raftlog/snapshotter.h"
#include "raftlog/vector_checks.h"
#include "raftlog/wal_format.h"

using namespace raftvault;
using namespace raftvault::raftlog;
using raftvault::testing::make_key;
using raftvault::testing::temp_dir;

namespace {

const char* kSnapName = "0000000000000002-0000000000000014.snap";
const char* kPlainSnapSha = "aee9fc8c1646988d643b387a60ccfe4037b9e0f530b7a8acca322e292222ffe3";

// Reads a plaintext etcd pair the way etcd 3.4 restarts: valid markers, newest snapshot among
// them, WAL opened at it.
recovered_state read_as_etcd(const std::string& wal_dir, const std::string& snap_dir) {
  recovered_state got;
  auto markers = valid_snapshot_markers(wal_dir);
  REQUIRE(markers);
  auto snap = snapshotter(snap_dir).load_newest_available(*markers);
  REQUIRE(snap);
  got.snap = *snap;
  auto contents = read_wal(wal_dir, snap->marker());
  REQUIRE(contents);
  got.metadata = contents->metadata;
  got.state = contents->state;
  got.entries = contents->entries;
  return got;
}

// No temp directory, no in-progress marker left anywhere under `dir`.
void check_no_leftovers(const std::string& dir) {
  for (const auto& item : std::filesystem::recursive_directory_iterator(dir)) {
    const std::string name = item.path().filename().string();
    INFO(item.path().string());
    CHECK(name.find(".migrating") == std::string::npos);
    CHECK(name != ".raftvault-copy-incomplete");
  }
}

migration_options small() {
  migration_options o;
  o.wal = testing::small_wal();
  return o;
}

std::shared_ptr<const payload_codec> codec_for(codec::cipher cipher) {
  return testing::single_key_codec(cipher, make_key(cipher == codec::cipher::secretbox ? 0 : 5, 0x21));
}

}  // namespace

TEST_CASE("plain vectors -> encrypted -> plain round trip", "[migration][vectors]") {
  for (auto cipher : {codec::cipher::xchacha20poly1305, codec::cipher::secretbox}) {
    INFO(codec::to_string(cipher));
    temp_dir dir;
    const std::string data_dir = dir / "node";
    auto codec = codec_for(cipher);
    REQUIRE(migrate_plain_to_encrypted(testing::etcd_vectors("plain-wal"),
                                       testing::etcd_vectors("plain-snap"), data_dir, codec, small()));
    auto layout = detect_layout(data_dir);
    REQUIRE(layout);
    CHECK(layout->encrypted);
    auto encrypted = read_store(data_dir, codec);
    REQUIRE(encrypted);
    testing::check_vector_restart(*encrypted);
    CHECK(*key_generations_in_use(data_dir) ==
          std::vector<std::uint32_t>{cipher == codec::cipher::secretbox ? 0u : 5u});
    // Payloads on disk are sealed.
    auto raw = read_wal(layout->wal_dir(), {20, 2});
    REQUIRE(raw);
    CHECK(codec::inspect_record(raw->entries.front().data)->algorithm ==
          static_cast<std::uint32_t>(cipher));
    check_no_leftovers(dir.path());

    auto again = migrate_plain_to_encrypted(testing::etcd_vectors("plain-wal"),
                                            testing::etcd_vectors("plain-snap"), data_dir, codec, small());
    REQUIRE_FALSE(again);
    CHECK(again.error().code() == errc::already_exists);

    const std::string out_wal = dir / "etcd/member/wal";
    const std::string out_snap = dir / "etcd/member/snap";
    std::filesystem::create_directories(dir / "etcd/member");
    REQUIRE(export_to_plain(data_dir, codec, out_wal, out_snap, small()));
    const recovered_state exported = read_as_etcd(out_wal, out_snap);
    testing::check_vector_restart(exported);
    CHECK(testing::sha256_hex(testing::read_bytes(out_snap + "/" + kSnapName)) == kPlainSnapSha);
    CHECK(verify_wal(out_wal, {20, 2}));
    // Only what etcd writes: the copy's lock file does not come along.
    auto names = fileio::list_dir(out_wal);
    REQUIRE(names);
    CHECK(names->size() == list_segments(out_wal).size());
    CHECK(std::find(names->begin(), names->end(), kLockFileName) == names->end());
    check_no_leftovers(dir.path());

    auto twice = export_to_plain(data_dir, codec, out_wal, out_snap, small());
    REQUIRE_FALSE(twice);
    CHECK(twice.error().code() == errc::already_exists);
    CHECK_THAT(twice.error().message(), Catch::Contains(out_wal));
  }
}

TEST_CASE("migration refuses a plaintext codec and exports need the right key", "[migration]") {
  temp_dir dir;
  auto refused = migrate_plain_to_encrypted(testing::etcd_vectors("plain-wal"), "", dir / "n",
                                            payload_codec::plaintext());
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code() == errc::invalid_argument);

  auto codec = codec_for(codec::cipher::xchacha20poly1305);
  REQUIRE(migrate_plain_to_encrypted(testing::etcd_vectors("plain-wal"),
                                     testing::etcd_vectors("plain-snap"), dir / "n", codec, small()));
  auto wrong = testing::single_key_codec(codec::cipher::xchacha20poly1305, make_key(5, 0x99));
  auto exported = export_to_plain(dir / "n", wrong, dir / "w", dir / "s");
  REQUIRE_FALSE(exported);
  CHECK(exported.error().code() == errc::wrong_key);
  CHECK_THAT(exported.error().message(), Catch::Contains("snapshot index 20 term 2"));
  CHECK_FALSE(std::filesystem::exists(dir / "w"));
  check_no_leftovers(dir.path());
}

TEST_CASE("an existing snap directory is taken over only when it lists as empty", "[migration]") {
  auto codec = codec_for(codec::cipher::xchacha20poly1305);
  temp_dir dir;
  const std::string data_dir = dir / "node";
  REQUIRE(migrate_plain_to_encrypted(testing::etcd_vectors("plain-wal"),
                                     testing::etcd_vectors("plain-snap"), data_dir, codec, small()));
  const std::string out_wal = dir / "wal";
  const std::string out_snap = dir / "snap";
  const std::string context = "export " + data_dir + " to " + out_wal + ": ";

  // A plain file where the directory should be is refused and kept, even an empty one.
  testing::write_bytes(out_snap, "");
  auto on_file = export_to_plain(data_dir, codec, out_wal, out_snap, small());
  REQUIRE_FALSE(on_file);
  CHECK(on_file.error().code() == errc::already_exists);
  CHECK(on_file.error().message() == context + out_snap +
                                         " already exists and holds files (not left by an interrupted copy)");
  CHECK(testing::read_bytes(out_snap).empty());
  REQUIRE(fileio::unlink(out_snap));

  // A directory that cannot be listed fails the export (the file layer's fault hook) and is kept.
  REQUIRE(fileio::make_dir(out_snap));
  fileio::inject_fault(fileio::op::read, 1, EIO);
  auto unlisted = export_to_plain(data_dir, codec, out_wal, out_snap, small());
  fileio::clear_faults();
  REQUIRE_FALSE(unlisted);
  CHECK(unlisted.error().code() == errc::io);
  CHECK(unlisted.error().message() == context + "list directory " + out_snap + ": Input/output error");
  CHECK(fileio::exists(out_snap));
  CHECK_FALSE(fileio::exists(out_wal));

  // The same empty directory, listed, becomes the export's snap directory.
  REQUIRE(export_to_plain(data_dir, codec, out_wal, out_snap, small()));
  testing::check_vector_restart(read_as_etcd(out_wal, out_snap));
  check_no_leftovers(dir.path());
}

TEST_CASE("in-place migration interrupted at each step leaves a usable store", "[migration][crash]") {
  auto codec = codec_for(codec::cipher::xchacha20poly1305);
  for (const char* point : {"migration.source_read", "migration.temp_written",
                            "migration.snap_renamed", "migration.wal_renamed",
                            "migration.marker_removed", "migration.source_removed"}) {
    INFO(point);
    temp_dir dir;
    const std::string data_dir = dir / "node";
    const store_layout plain{data_dir, false};
    testing::copy_files(testing::etcd_vectors("plain-wal"), plain.wal_dir());
    testing::copy_files(testing::etcd_vectors("plain-snap"), plain.snap_dir());
    migration_options options = small();
    options.remove_source = true;
    const int code = testing::run_child_crashing_at(point, [&] {
      (void)migrate_plain_to_encrypted(plain.wal_dir(), plain.snap_dir(), data_dir, codec, options);
    });
    CHECK(code == fileio::kCrashExitCode);

    // Whatever the point, the store found there reads back the vectors.
    auto layout = detect_layout(data_dir);
    REQUIRE(layout);
    const bool committed = std::string(point) == "migration.wal_renamed" ||
                           std::string(point) == "migration.marker_removed" ||
                           std::string(point) == "migration.source_removed";
    CHECK(layout->encrypted == committed);
    auto found = read_store(data_dir, layout->encrypted ? codec : payload_codec::plaintext());
    REQUIRE(found);
    testing::check_vector_restart(*found);

    // The next attempt cleans up and completes (or finds the migration done).
    auto retried = migrate_plain_to_encrypted(plain.wal_dir(), plain.snap_dir(), data_dir, codec,
                                              options);
    if (committed) {
      REQUIRE_FALSE(retried);
      CHECK(retried.error().code() == errc::already_exists);
    } else {
      REQUIRE(retried);
      CHECK_FALSE(std::filesystem::exists(plain.wal_dir()));
    }
    auto encrypted = read_store(data_dir, codec);
    REQUIRE(encrypted);
    testing::check_vector_restart(*encrypted);
    recovered_state out;
    log_options small_log;
    small_log.wal = testing::small_wal();
    auto log = encrypted_log::open(data_dir, codec, out, small_log);
    REQUIRE(log);
    REQUIRE((*log)->close());
    check_no_leftovers(dir.path());
  }
}

TEST_CASE("export interrupted at each step leaves the encrypted store usable", "[migration][crash]") {
  auto codec = codec_for(codec::cipher::secretbox);
  for (const char* point : {"migration.source_read", "migration.temp_written",
                            "migration.snap_renamed", "migration.wal_renamed",
                            "migration.marker_removed"}) {
    INFO(point);
    temp_dir dir;
    const std::string data_dir = dir / "node";
    REQUIRE(migrate_plain_to_encrypted(testing::etcd_vectors("plain-wal"),
                                       testing::etcd_vectors("plain-snap"), data_dir, codec, small()));
    const std::string store_digest = testing::tree_digest(data_dir);
    const std::string out_wal = dir / "wal";
    const std::string out_snap = dir / "snap";
    const int code = testing::run_child_crashing_at(
        point, [&] { (void)export_to_plain(data_dir, codec, out_wal, out_snap, small()); });
    CHECK(code == fileio::kCrashExitCode);
    CHECK(testing::tree_digest(data_dir) == store_digest);  // the source is only read
    const bool committed = std::string(point) == "migration.wal_renamed" ||
                           std::string(point) == "migration.marker_removed";
    CHECK(wal_exists(out_wal) == committed);
    if (committed) testing::check_vector_restart(read_as_etcd(out_wal, out_snap));

    auto retried = export_to_plain(data_dir, codec, out_wal, out_snap, small());
    if (committed) {
      REQUIRE_FALSE(retried);
      CHECK(retried.error().code() == errc::already_exists);
    } else {
      REQUIRE(retried);
    }
    testing::check_vector_restart(read_as_etcd(out_wal, out_snap));
    check_no_leftovers(dir.path());
  }
}
