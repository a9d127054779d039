// The durability recorder and the power-cut replay on real files: what a simulated power cut
// keeps is exactly what fdatasync/fsync and directory fsyncs made durable, and never anything
// that was not written.
#include "fileio/power_cut.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <catch2/catch.hpp>

#include <functional>
#include <set>

#include "fileio/durability_log.h"
#include "fileio/file.h"
#include "support/test_support.h"

using namespace raftvault;
using namespace raftvault::fileio;
using raftvault::testing::read_bytes;
using raftvault::testing::temp_dir;
using raftvault::testing::write_bytes;

namespace {

// Records whatever `work` does under dir/tree (which holds `initial` files, durable).
durability_recording record(const temp_dir& dir, const std::function<void(const std::string&)>& work) {
  const auto tree = dir / "tree";
  REQUIRE(make_dir(tree));
  REQUIRE(start_durability_log(tree));
  work(tree);
  return stop_durability_log();
}

// The tree a cut after every recorded operation leaves, materialised under dir/cut-N.
std::string cut_at_end(const temp_dir& dir, const durability_recording& rec, cut_choices choices,
                       cut_summary* summary = nullptr) {
  static int count = 0;
  power_cut_replay replay(rec);
  replay.advance_to(rec.ops.size());
  const auto out = dir / ("cut-" + std::to_string(++count));
  REQUIRE(replay.materialise(out, choices, summary));
  return out;
}

void write_synced(const std::string& path, const std::string& bytes) {
  auto f = file::open(path, O_WRONLY | O_CREAT | O_TRUNC);
  REQUIRE(f);
  REQUIRE(f->write_all(bytes));
  REQUIRE(f->fdatasync());
}

}  // namespace

TEST_CASE("power cut: an unsynced write is dropped, an fdatasynced one kept", "[fileio][power_cut]") {
  temp_dir dir;
  auto rec = record(dir, [](const std::string& tree) {
    auto f = file::open(tree + "/data", O_RDWR | O_CREAT);
    REQUIRE(f);
    REQUIRE(f->write_all("synced"));
    REQUIRE(f->fdatasync());
    REQUIRE(fsync_dir(tree));
    REQUIRE(f->pwrite_all("-later", 6, 6));
  });
  cut_summary summary;
  const auto dropped = cut_at_end(dir, rec, {unsynced_names::none, unsynced_data::none, 1}, &summary);
  CHECK(read_bytes(dropped + "/data") == "synced");
  CHECK(summary.writes_pending == 1);
  CHECK(summary.writes_kept == 0);
  const auto kept = cut_at_end(dir, rec, {unsynced_names::none, unsynced_data::all, 1});
  CHECK(read_bytes(kept + "/data") == "synced-later");
}

TEST_CASE("power cut: a torn write keeps a prefix ending on a 512-byte boundary of the file",
          "[fileio][power_cut]") {
  temp_dir dir;
  const std::string old_bytes(700, 'o');
  const std::string new_bytes(3000, 'n');
  auto rec = record(dir, [&](const std::string& tree) {
    write_synced(tree + "/data", old_bytes);
    REQUIRE(fsync_dir(tree));
    auto f = file::open(tree + "/data", O_RDWR);
    REQUIRE(f);
    REQUIRE(f->pwrite_all(new_bytes.data(), new_bytes.size(), 100));
  });
  // What may be there: the old bytes, or them overwritten from offset 100 up to the write's
  // end or a sector boundary inside the write.
  std::set<std::string> possible{old_bytes};
  for (std::size_t end : {512u, 1024u, 1536u, 2048u, 2560u, 3072u, 3100u}) {
    std::string bytes = old_bytes;
    bytes.resize(std::max<std::size_t>(end, old_bytes.size()), '\0');
    bytes.replace(100, end - 100, new_bytes.substr(0, end - 100));
    possible.insert(bytes);
  }
  bool saw_torn = false;
  for (std::uint64_t seed = 1; seed <= 40; ++seed) {
    cut_summary summary;
    const auto out = cut_at_end(dir, rec, {unsynced_names::none, unsynced_data::torn, seed}, &summary);
    const auto got = read_bytes(out + "/data");
    INFO("seed " << seed << ", " << got.size() << " bytes");
    CHECK(possible.count(got) == 1);
    saw_torn |= summary.writes_torn == 1;
  }
  CHECK(saw_torn);
}

TEST_CASE("power cut: scattered write-back keeps any subset of an unsynced write's sectors",
          "[fileio][power_cut]") {
  temp_dir dir;
  const std::string old_bytes(2048, 'o');
  const std::string new_bytes(2048, 'n');
  auto rec = record(dir, [&](const std::string& tree) {
    write_synced(tree + "/data", old_bytes);
    REQUIRE(fsync_dir(tree));
    auto f = file::open(tree + "/data", O_RDWR);
    REQUIRE(f);
    REQUIRE(f->pwrite_all(new_bytes.data(), new_bytes.size(), 0));
  });
  bool saw_hole = false;  // a new sector after an old one: no prefix model gives that
  for (std::uint64_t seed = 1; seed <= 40; ++seed) {
    const auto out = cut_at_end(dir, rec, {unsynced_names::none, unsynced_data::scattered, seed});
    const auto got = read_bytes(out + "/data");
    REQUIRE(got.size() == 2048);
    std::string sectors;
    for (std::size_t at = 0; at < got.size(); at += 512) {
      const auto sector = got.substr(at, 512);
      INFO("seed " << seed << ", sector at " << at);
      CHECK((sector == std::string(512, 'o') || sector == std::string(512, 'n')));
      sectors.push_back(sector[0]);
    }
    saw_hole |= sectors.find("on") != std::string::npos;
  }
  CHECK(saw_hole);
}

TEST_CASE("power cut: a rename is undone without a directory fsync and kept with one",
          "[fileio][power_cut]") {
  temp_dir dir;
  auto rec = record(dir, [](const std::string& tree) {
    write_synced(tree + "/state", "old");
    REQUIRE(fsync_dir(tree));
    write_synced(tree + "/state.tmp", "new");
    REQUIRE(rename(tree + "/state.tmp", tree + "/state"));
  });
  const auto undone = cut_at_end(dir, rec, {unsynced_names::none, unsynced_data::none, 1});
  CHECK(read_bytes(undone + "/state") == "old");
  CHECK_FALSE(exists(undone + "/state.tmp"));
  const auto applied = cut_at_end(dir, rec, {unsynced_names::all, unsynced_data::none, 1});
  CHECK(read_bytes(applied + "/state") == "new");
  CHECK_FALSE(exists(applied + "/state.tmp"));

  auto synced = record(dir, [](const std::string& tree) {
    write_synced(tree + "/state.tmp", "new");
    REQUIRE(rename(tree + "/state.tmp", tree + "/state"));
    REQUIRE(fsync_dir(tree));
  });
  for (auto names : {unsynced_names::none, unsynced_names::subset}) {
    const auto out = cut_at_end(dir, synced, {names, unsynced_data::none, 7});
    CHECK(read_bytes(out + "/state") == "new");
  }
}

TEST_CASE("power cut: a new file fsynced without its directory may vanish, an unlink comes back",
          "[fileio][power_cut]") {
  temp_dir dir;
  const auto live = dir / "tree";
  auto rec = record(dir, [](const std::string& tree) {
    write_synced(tree + "/gone", "still here");
    REQUIRE(fsync_dir(tree));
    write_synced(tree + "/fresh", "data");
    REQUIRE(unlink(tree + "/gone"));
    REQUIRE(make_dir(tree + "/sub"));
  });
  const auto none = cut_at_end(dir, rec, {unsynced_names::none, unsynced_data::all, 1});
  CHECK_FALSE(exists(none + "/fresh"));
  CHECK_FALSE(exists(none + "/sub"));
  CHECK(read_bytes(none + "/gone") == "still here");
  const auto all = cut_at_end(dir, rec, {unsynced_names::all, unsynced_data::all, 1});
  CHECK(read_bytes(all + "/fresh") == "data");
  CHECK(exists(all + "/sub"));
  CHECK_FALSE(exists(all + "/gone"));
  // The live tree is untouched by any of this.
  CHECK(read_bytes(live + "/fresh") == "data");
}

TEST_CASE("power cut: the tree present when recording began is kept as it was", "[fileio][power_cut]") {
  temp_dir dir;
  const auto tree = dir / "tree";
  REQUIRE(make_dir(tree));
  REQUIRE(make_dir(tree + "/keys"));
  write_bytes(tree + "/keys/node.key", "key file");
  REQUIRE(::chmod((tree + "/keys/node.key").c_str(), 0600) == 0);
  REQUIRE(start_durability_log(tree));
  CHECK_FALSE(start_durability_log(tree));  // already armed
  write_bytes(dir / "outside", "not recorded");
  auto rec = stop_durability_log();
  CHECK(rec.ops.size() == rec.baseline);
  const auto out = cut_at_end(dir, rec, {unsynced_names::none, unsynced_data::none, 1});
  CHECK(read_bytes(out + "/keys/node.key") == "key file");
  struct stat st;
  REQUIRE(::stat((out + "/keys/node.key").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
}

TEST_CASE("power cut: write_file_atomic leaves the old or the new contents at every cut",
          "[fileio][power_cut]") {
  temp_dir dir;
  auto rec = record(dir, [](const std::string& tree) {
    REQUIRE(write_file_atomic(tree + "/key", "generation 1"));
    REQUIRE(write_file_atomic(tree + "/key", "generation 2, longer than the first"));
  });
  power_cut_replay replay(rec);
  bool saw_first = false, saw_second = false;
  int cut = 0;
  for (std::size_t at = 0; at <= rec.ops.size(); ++at) {
    replay.advance_to(at);
    for (auto names : {unsynced_names::none, unsynced_names::all, unsynced_names::prefix, unsynced_names::subset}) {
      for (auto data : {unsynced_data::none, unsynced_data::all, unsynced_data::torn, unsynced_data::scattered}) {
        const auto out = dir / ("atomic-" + std::to_string(++cut));
        REQUIRE(replay.materialise(out, {names, data, static_cast<std::uint64_t>(cut)}, nullptr));
        INFO("after " << replay.describe_last() << ", names " << to_string(names) << ", data "
                      << to_string(data));
        if (!exists(out + "/key")) continue;  // before the first rename was made durable
        const auto got = read_bytes(out + "/key");
        INFO("read back: " << got);
        CHECK((got == "generation 1" || got == "generation 2, longer than the first"));
        saw_first |= got == "generation 1";
        saw_second |= got != "generation 1";
      }
    }
  }
  CHECK(saw_first);
  CHECK(saw_second);
  // Once the second replace's directory fsync is in, only the new contents remain.
  const auto out = cut_at_end(dir, rec, {unsynced_names::none, unsynced_data::none, 1});
  CHECK(read_bytes(out + "/key") == "generation 2, longer than the first");
}

TEST_CASE("power cut: a truncation is kept with an fdatasync and undone without one",
          "[fileio][power_cut]") {
  temp_dir dir;
  auto rec = record(dir, [](const std::string& tree) {
    write_synced(tree + "/synced", "0123456789");
    write_synced(tree + "/unsynced", "0123456789");
    REQUIRE(fsync_dir(tree));
    auto a = file::open(tree + "/synced", O_RDWR);
    REQUIRE(a);
    REQUIRE(a->truncate(4));
    REQUIRE(a->fdatasync());
    auto b = file::open(tree + "/unsynced", O_RDWR);
    REQUIRE(b);
    REQUIRE(b->truncate(4));
  });
  const auto out = cut_at_end(dir, rec, {unsynced_names::none, unsynced_data::none, 1});
  CHECK(read_bytes(out + "/synced") == "0123");
  CHECK(read_bytes(out + "/unsynced") == "0123456789");
  const auto kept = cut_at_end(dir, rec, {unsynced_names::none, unsynced_data::all, 1});
  CHECK(read_bytes(kept + "/unsynced") == "0123");
}

TEST_CASE("power cut: an exchange of two names is undone without a directory fsync",
          "[fileio][power_cut]") {
  temp_dir dir;
  auto rec = record(dir, [](const std::string& tree) {
    write_synced(tree + "/a", "first");
    write_synced(tree + "/b", "second");
    REQUIRE(fsync_dir(tree));
    CHECK(durability_log_position() > 0);
    REQUIRE(exchange(tree + "/a", tree + "/b"));
  });
  const auto undone = cut_at_end(dir, rec, {unsynced_names::none, unsynced_data::none, 1});
  CHECK(read_bytes(undone + "/a") == "first");
  CHECK(read_bytes(undone + "/b") == "second");
  const auto applied = cut_at_end(dir, rec, {unsynced_names::all, unsynced_data::none, 1});
  CHECK(read_bytes(applied + "/a") == "second");
  CHECK(read_bytes(applied + "/b") == "first");
}

TEST_CASE("power cut: a directory tree removed without a directory fsync comes back",
          "[fileio][power_cut]") {
  temp_dir dir;
  auto rec = record(dir, [](const std::string& tree) {
    REQUIRE(make_dir(tree + "/old"));
    REQUIRE(make_dir(tree + "/old/inner"));
    write_synced(tree + "/old/inner/file", "kept");
    REQUIRE(fsync_dir(tree + "/old/inner"));
    REQUIRE(fsync_dir(tree + "/old"));
    REQUIRE(fsync_dir(tree));
    REQUIRE(remove_all(tree + "/old"));
  });
  const auto back = cut_at_end(dir, rec, {unsynced_names::none, unsynced_data::none, 1});
  CHECK(read_bytes(back + "/old/inner/file") == "kept");
  const auto gone = cut_at_end(dir, rec, {unsynced_names::all, unsynced_data::none, 1});
  CHECK_FALSE(exists(gone + "/old"));
}
