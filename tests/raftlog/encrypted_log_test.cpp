// encrypted_log: the secretbox golden vectors read back decrypted, create/save/reopen, the key
// switch of a rotation, all-or-nothing batches, no fallback to a snapshot no key opens, and
// save_snapshot interrupted at each of its crash points.
#include "raftlog/encrypted_log.h"

#include <catch2/catch.hpp>

#include "fileio/crash_point.h"
#include "raftlog/encryption_fixtures.h"
#include "raftlog/vector_checks.h"

using namespace raftvault;
using namespace raftvault::raftlog;
using raftvault::testing::make_entries;
using raftvault::testing::make_key;
using raftvault::testing::temp_dir;

namespace {

std::shared_ptr<const payload_codec> xchacha(std::uint32_t generation) {
  return testing::single_key_codec(codec::cipher::xchacha20poly1305,
                                   make_key(generation, static_cast<unsigned char>(generation * 16)));
}

log_options small() {
  log_options o;
  o.wal = testing::small_wal();
  return o;
}

// tree_digest of a live WAL directory without the file pipeline's spare (0.tmp / 1.tmp): its
// background thread creates it at any moment after create/open, so it is not a write the
// test can order against.
std::string digest_without_spares(const std::string& wal_dir) {
  const std::string digest = testing::tree_digest(wal_dir);
  std::string out;
  for (std::size_t start = 0; start < digest.size();) {
    const std::size_t end = digest.find('\n', start);
    const std::string line = digest.substr(start, end - start + 1);
    if (line.rfind("0.tmp ", 0) != 0 && line.rfind("1.tmp ", 0) != 0) out += line;
    start = end + 1;
  }
  return out;
}

snapshot state_snapshot(std::uint64_t index, std::uint64_t term) {
  snapshot s;
  s.data = "state machine at " + std::to_string(index) + std::string(500, '#');
  s.metadata.index = index;
  s.metadata.term = term;
  s.metadata.conf.voters = {1, 2, 3};
  return s;
}

}  // namespace

TEST_CASE("secretbox golden vectors decrypt through read_store and open", "[encrypted_log][vectors]") {
  temp_dir dir;
  testing::install_secretbox_vectors(dir.path());
  auto codec = testing::single_key_codec(codec::cipher::secretbox, testing::vector_key());

  auto layout = detect_layout(dir.path());
  REQUIRE(layout);
  CHECK(layout->encrypted);

  auto read = read_store(dir.path(), codec);
  REQUIRE(read);
  testing::check_vector_restart(*read);

  // Every entry of the log, the 20 the snapshot covers included.
  auto whole = read_wal(layout->wal_dir(), snapshot_marker{0, 0});
  REQUIRE(whole);
  REQUIRE(whole->entries.size() == 124);
  for (const entry& stored : whole->entries) {
    auto opened = codec->open_entry(stored);
    REQUIRE(opened);
    testing::check_vector_entry(*opened);
  }

  recovered_state restarted;
  auto log = encrypted_log::open(dir.path(), codec, restarted, small());
  REQUIRE(log);
  testing::check_vector_restart(restarted);
  CHECK((*log)->last_snapshot() == snapshot_marker{20, 2});
  CHECK((*log)->last_state() == hard_state{4, 2, 124});
  REQUIRE((*log)->close());

  auto generations = key_generations_in_use(dir.path());
  REQUIRE(generations);
  CHECK(*generations == std::vector<std::uint32_t>{0});  // secretbox records carry no key id
}

TEST_CASE("a snapshot no held key opens is an error, never a fallback", "[encrypted_log][vectors]") {
  temp_dir dir;
  testing::install_secretbox_vectors(dir.path());
  auto wrong = testing::single_key_codec(codec::cipher::secretbox, make_key(0, 0x80));
  const std::string before = testing::tree_digest(dir.path());

  recovered_state out;
  auto log = encrypted_log::open(dir.path(), wrong, out, small());
  REQUIRE_FALSE(log);
  CHECK(log.error().code() == errc::wrong_key);
  CHECK_THAT(log.error().message(), Catch::Contains("snapshot index 20 term 2") &&
                                        Catch::Contains("0000000000000002-0000000000000014.snap"));
  auto read = read_store(dir.path(), wrong);
  REQUIRE_FALSE(read);
  CHECK(read.error().code() == errc::wrong_key);
  CHECK(testing::tree_digest(dir.path()) == before);  // nothing renamed .broken

  auto plain = encrypted_log::open(dir.path(), payload_codec::plaintext(), out, small());
  REQUIRE_FALSE(plain);
  CHECK(plain.error().code() == errc::invalid_argument);
  CHECK_THAT(plain.error().message(), Catch::Contains("encrypted store"));
}

TEST_CASE("create, save and reopen an XChaCha20 store", "[encrypted_log]") {
  temp_dir dir;
  const std::string data_dir = dir / "node";
  auto codec = xchacha(1);
  {
    auto log = encrypted_log::create(data_dir, "meta", codec, small());
    REQUIRE(log);
    CHECK((*log)->layout().wal_dir() == data_dir + "/wal-v3-encrypted");
    REQUIRE((*log)->save(hard_state{1, 1, 0}, make_entries(1, 12, 1)));
    REQUIRE((*log)->save(hard_state{1, 1, 12}, {}));
    REQUIRE((*log)->close());
  }
  auto again = encrypted_log::create(data_dir, "meta", codec, small());
  REQUIRE_FALSE(again);
  CHECK(again.error().code() == errc::already_exists);

  // Payloads on disk are sealed records; index, term and hard state stay readable.
  auto raw = read_wal(data_dir + "/wal-v3-encrypted", {});
  REQUIRE(raw);
  REQUIRE(raw->entries.size() == 12);
  CHECK(raw->state == hard_state{1, 1, 12});
  CHECK(codec::inspect_record(raw->entries[4].data)->algorithm == 3);
  CHECK(raw->entries[3].data.find("payload-4-1") == std::string::npos);

  recovered_state out;
  auto log = encrypted_log::open(data_dir, codec, out, small());
  REQUIRE(log);
  CHECK(out.metadata == "meta");
  CHECK(out.state == hard_state{1, 1, 12});
  CHECK_FALSE(out.snap);
  CHECK(out.entries == make_entries(1, 12, 1));
  REQUIRE((*log)->close());
}

TEST_CASE("take_wal hands the WAL over: it writes on, the log refuses and closes nothing",
          "[encrypted_log]") {
  temp_dir dir;
  auto codec = xchacha(1);
  auto log = encrypted_log::create(dir.path(), "m", codec, small());
  REQUIRE(log);
  REQUIRE((*log)->save(hard_state{1, 1, 2}, make_entries(1, 2, 1)));
  auto wal = (*log)->take_wal();
  REQUIRE(wal);
  auto refused = (*log)->save(hard_state{1, 1, 3}, make_entries(3, 1, 1));
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code() == errc::closed);
  CHECK((*log)->close());  // nothing to close: the WAL is the new owner's
  log->reset();
  // Still open (its lock held) after the log is gone: the new owner writes on.
  REQUIRE(wal->save(hard_state{2, 1, 2}, {}));
  REQUIRE(wal->close());
  auto read = read_store(dir.path(), codec);
  INFO((read ? std::string() : read.error().describe()));
  REQUIRE(read);
  CHECK(read->entries == make_entries(1, 2, 1));
  CHECK(read->state == hard_state{2, 1, 2});
}

TEST_CASE("a batch whose sealing fails writes nothing", "[encrypted_log]") {
  temp_dir dir;
  auto codec = xchacha(1);
  auto log = encrypted_log::create(dir.path(), "m", codec, small());
  REQUIRE(log);
  REQUIRE((*log)->save(hard_state{1, 1, 3}, make_entries(1, 3, 1)));
  const std::string before = digest_without_spares(dir / "wal-v3-encrypted");

  raftlog::held_key null_key{codec::key_ref{2, nullptr}, nullptr};
  (*log)->set_codec(testing::codec_with(codec::cipher::xchacha20poly1305, null_key, {null_key}));
  auto failed = (*log)->save(hard_state{1, 1, 6}, make_entries(4, 6, 1));
  REQUIRE_FALSE(failed);
  CHECK(failed.error().code() == errc::invalid_argument);
  CHECK_THAT(failed.error().message(), Catch::Contains("wal-v3-encrypted"));
  CHECK(digest_without_spares(dir / "wal-v3-encrypted") == before);
  CHECK((*log)->log().last_index() == 3);
  CHECK((*log)->last_state() == hard_state{1, 1, 3});

  (*log)->set_codec(codec);  // the log is still usable with a working codec
  REQUIRE((*log)->save(hard_state{1, 1, 6}, make_entries(4, 6, 1)));
  REQUIRE((*log)->close());
  auto read = read_store(dir.path(), codec);
  REQUIRE(read);
  CHECK(read->entries == make_entries(1, 6, 1));
}

TEST_CASE("key switch: old and new keys, missing key, snapshot retires the old one", "[encrypted_log]") {
  temp_dir dir;
  const auto gen1 = make_key(1, 0x10);
  const auto gen2 = make_key(2, 0x70);
  auto old_codec = testing::single_key_codec(codec::cipher::xchacha20poly1305, gen1);
  auto both = old_codec->with_sealing_key(gen2);
  REQUIRE(both);
  auto new_only = testing::single_key_codec(codec::cipher::xchacha20poly1305, gen2);
  {
    auto log = encrypted_log::create(dir.path(), "m", old_codec, small());
    REQUIRE(log);
    REQUIRE((*log)->save(hard_state{1, 1, 10}, make_entries(1, 10, 1)));
    (*log)->set_codec(*both);
    CHECK((*log)->codec()->sealing_generation() == 2);
    REQUIRE((*log)->save(hard_state{1, 1, 20}, make_entries(11, 20, 1)));
    REQUIRE((*log)->close());
  }
  auto in_use = key_generations_in_use(dir.path());
  REQUIRE(in_use);
  CHECK(*in_use == std::vector<std::uint32_t>{1, 2});

  recovered_state out;
  {
    auto log = encrypted_log::open(dir.path(), *both, out, small());
    REQUIRE(log);
    CHECK(out.entries == make_entries(1, 20, 1));
    REQUIRE((*log)->close());
  }
  auto missing = encrypted_log::open(dir.path(), new_only, out, small());
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code() == errc::missing_key);
  CHECK_THAT(missing.error().message(), Catch::Contains("generation 1") &&
                                            Catch::Contains("entry index 1 term 1") &&
                                            Catch::Contains("wal-v3-encrypted"));
  CHECK(read_store(dir.path(), new_only).error().code() == errc::missing_key);

  {
    auto log = encrypted_log::open(dir.path(), *both, out, small());
    REQUIRE(log);
    REQUIRE((*log)->save_snapshot(state_snapshot(20, 1)));
    CHECK((*log)->last_snapshot() == snapshot_marker{20, 1});
    CHECK((*log)->last_state() == hard_state{1, 1, 20});
    REQUIRE((*log)->close());
  }
  in_use = key_generations_in_use(dir.path());
  REQUIRE(in_use);
  CHECK(*in_use == std::vector<std::uint32_t>{2});
  auto log = encrypted_log::open(dir.path(), new_only, out, small());
  REQUIRE(log);
  REQUIRE(out.snap);
  CHECK(*out.snap == state_snapshot(20, 1));
  CHECK(out.entries.empty());
  REQUIRE((*log)->save(hard_state{1, 1, 22}, make_entries(21, 22, 1)));
  REQUIRE((*log)->close());
  auto read = read_store(dir.path(), new_only);
  REQUIRE(read);
  CHECK(read->entries == make_entries(21, 22, 1));
}

TEST_CASE("save_snapshot covers the commit, keeps term and vote, releases segments", "[encrypted_log]") {
  temp_dir dir;
  auto codec = xchacha(3);
  log_options options;
  options.wal.segment_size = 8 * 1024;
  options.wal.etcd_cut_lag = false;
  options.snapshot_keep = 2;
  auto log = encrypted_log::create(dir.path(), "m", codec, options);
  REQUIRE(log);
  for (std::uint64_t first = 1; first <= 200; first += 20) {
    REQUIRE((*log)->save(hard_state{2, 3, 0}, make_entries(first, first + 19, 2)));
  }
  const auto segments_before = (*log)->log().segments().size();
  REQUIRE(segments_before > 3);
  for (std::uint64_t at : {50, 120, 180}) REQUIRE((*log)->save_snapshot(state_snapshot(at, 2)));
  CHECK((*log)->last_state() == hard_state{2, 3, 180});
  CHECK((*log)->log().segments().size() < segments_before);
  auto names = (*log)->snapshots().list();
  REQUIRE(names);
  CHECK(names->size() == 2);
  auto stale = (*log)->save_snapshot(state_snapshot(100, 2));
  REQUIRE_FALSE(stale);
  CHECK(stale.error().code() == errc::invalid_argument);
  REQUIRE((*log)->close());

  auto read = read_store(dir.path(), codec);
  REQUIRE(read);
  REQUIRE(read->snap);
  CHECK(read->snap->metadata.index == 180);
  CHECK(read->state == hard_state{2, 3, 180});
  CHECK(read->entries == make_entries(181, 200, 2));
}

TEST_CASE("save_snapshot with no hard state saved yet covers it with the snapshot's term",
          "[encrypted_log]") {
  temp_dir dir;
  auto codec = xchacha(3);
  auto log = encrypted_log::create(dir.path(), "m", codec);
  REQUIRE(log);
  REQUIRE((*log)->save(hard_state{}, make_entries(1, 10, 2)));
  REQUIRE((*log)->save_snapshot(state_snapshot(10, 2)));
  CHECK((*log)->last_state() == hard_state{2, 0, 10});  // before: term 0, commit 10
  REQUIRE((*log)->close());
  auto read = read_store(dir.path(), codec);
  REQUIRE(read);
  CHECK(read->state == hard_state{2, 0, 10});
}

TEST_CASE("save_snapshot interrupted at each step loses nothing", "[encrypted_log][crash]") {
  for (const char* point : {"encrypted_log.snapshot_saved", "encrypted_log.snapshot_marker_saved",
                            "encrypted_log.snapshot_state_saved", "encrypted_log.segments_released"}) {
    INFO(point);
    temp_dir dir;
    auto codec = xchacha(1);
    {
      auto log = encrypted_log::create(dir.path(), "m", codec, small());
      REQUIRE(log);
      REQUIRE((*log)->save(hard_state{1, 1, 0}, make_entries(1, 30, 1)));
      REQUIRE((*log)->close());
    }
    const int code = testing::run_child_crashing_at(point, [&] {
      recovered_state ignored;
      auto log = encrypted_log::open(dir.path(), codec, ignored, small());
      if (log) (void)(*log)->save_snapshot(state_snapshot(25, 1));
    });
    CHECK(code == fileio::kCrashExitCode);

    recovered_state out;
    auto log = encrypted_log::open(dir.path(), codec, out, small());
    REQUIRE(log);
    const std::uint64_t first = out.snap ? out.snap->metadata.index + 1 : 1;
    // The snapshot is used only once the hard state covering it is durable.
    const bool committed = std::string(point) == "encrypted_log.snapshot_state_saved" ||
                           std::string(point) == "encrypted_log.segments_released";
    CHECK(bool(out.snap) == committed);
    if (out.snap) CHECK(*out.snap == state_snapshot(25, 1));
    CHECK(out.entries == make_entries(first, 30, 1));
    REQUIRE((*log)->close());
  }
}

TEST_CASE("an older snapshot is not used when the newest needs a key not held", "[encrypted_log]") {
  temp_dir dir;
  const auto gen1 = make_key(1, 0x10);
  const auto gen2 = make_key(2, 0x70);
  auto old_codec = testing::single_key_codec(codec::cipher::xchacha20poly1305, gen1);
  {
    auto log = encrypted_log::create(dir.path(), "m", old_codec, small());
    REQUIRE(log);
    REQUIRE((*log)->save(hard_state{1, 1, 20}, make_entries(1, 20, 1)));
    REQUIRE((*log)->save_snapshot(state_snapshot(10, 1)));
    (*log)->set_codec(*old_codec->with_sealing_key(gen2));
    REQUIRE((*log)->save_snapshot(state_snapshot(20, 1)));
    REQUIRE((*log)->close());
  }
  const std::string before = testing::tree_digest(dir / "snap-v3-encrypted");
  recovered_state out;
  auto opened = encrypted_log::open(dir.path(), old_codec, out, small());
  REQUIRE_FALSE(opened);
  CHECK(opened.error().code() == errc::missing_key);
  CHECK_THAT(opened.error().message(), Catch::Contains("snapshot index 20 term 1") &&
                                           Catch::Contains("generation 2"));
  CHECK(testing::tree_digest(dir / "snap-v3-encrypted") == before);  // nothing renamed
  auto generations = key_generations_in_use(dir.path());
  REQUIRE(generations);
  CHECK(*generations == std::vector<std::uint32_t>{2});
}

TEST_CASE("snapshot GC keeps the snapshot just saved when a crashed save left a newer file",
          "[encrypted_log][crash]") {
  // A crash after the .snap of index 180 is durable but before its WAL marker leaves a file
  // that no restart uses. After the restart, the next snapshot (120) sorts below it; a GC
  // that counts the orphan among the `keep` newest deletes 120 and 50 — while the WAL
  // segments before 120 are already released.
  temp_dir dir;
  auto codec = xchacha(1);
  log_options options;
  options.wal.segment_size = 8 * 1024;
  options.wal.etcd_cut_lag = false;
  options.snapshot_keep = 1;
  {
    auto log = encrypted_log::create(dir.path(), "m", codec, options);
    REQUIRE(log);
    for (std::uint64_t first = 1; first <= 200; first += 20)
      REQUIRE((*log)->save(hard_state{1, 1, first + 19}, make_entries(first, first + 19, 1)));
    REQUIRE((*log)->save_snapshot(state_snapshot(50, 1)));
    REQUIRE((*log)->close());
  }
  const int code = testing::run_child_crashing_at("encrypted_log.snapshot_saved", [&] {
    recovered_state ignored;
    auto log = encrypted_log::open(dir.path(), codec, ignored, options);
    if (log) (void)(*log)->save_snapshot(state_snapshot(180, 1));
  });
  REQUIRE(code == fileio::kCrashExitCode);
  {
    recovered_state out;
    auto log = encrypted_log::open(dir.path(), codec, out, options);
    REQUIRE(log);
    REQUIRE(out.snap);
    CHECK(out.snap->metadata.index == 50);
    REQUIRE((*log)->save_snapshot(state_snapshot(120, 1)));
    REQUIRE((*log)->close());
  }
  recovered_state out;
  auto reopened = encrypted_log::open(dir.path(), codec, out, options);
  REQUIRE(reopened);
  REQUIRE(out.snap);
  CHECK(*out.snap == state_snapshot(120, 1));
  CHECK(out.entries == make_entries(121, 200, 1));
}
