// wal::truncate: entries from an index on are dropped by writing entry index - 1 again, which
// every replay (etcd's rule) reads as the end of the log; a crash after the next sync never
// brings them back, and what raft forbids is refused with nothing written.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <functional>
#include <unistd.h>

#include "raftlog/encrypted_log.h"
#include "raftlog/entry_reader.h"
#include "raftlog/wal.h"
#include "encryption_fixtures.h"
#include "wal_test_support.h"

using namespace raftvault;
using namespace raftvault::testing;

namespace {

// Entries 1..60 of 1000 bytes in 8 KiB segments (several cuts), committed up to `commit`.
std::unique_ptr<raftlog::wal> wal_committed_to(const std::string& dir, std::uint64_t commit) {
  auto created = raftlog::wal::create(dir, "meta", small_segment_options());
  REQUIRE(created);
  auto log = std::move(created).value();
  for (std::uint64_t i = 1; i <= 60; i += 4)
    REQUIRE(log->save({1, 1, std::min(commit, i + 3)}, make_entries(i, i + 3, 1, 1000)));
  return log;
}

raftlog::wal_contents replay(const std::string& dir, snapshot_marker at = {}) {
  auto read = raftlog::read_wal(dir, at);
  REQUIRE(read);
  return std::move(read).value();
}

// Runs `work` in a child that then stops dead (no close: no recorded end, as after a crash).
void crash_after(const std::function<void()>& work) {
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    work();
    _exit(0);
  }
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
}

}  // namespace

TEST_CASE("a truncation followed by a sync survives a crash: the entries never come back",
          "[wal][truncate]") {
  temp_dir tmp;
  const std::string dir = tmp / "wal";
  REQUIRE(wal_committed_to(dir, 5)->close());
  SECTION("truncation alone") {
    crash_after([&] {
      auto log = raftlog::wal::open(dir, {}, small_segment_options());
      if (!log || !(*log)->read_all() || !(*log)->truncate(20) || !(*log)->sync()) _exit(1);
      if ((*log)->last_index() != 19 || (*log)->entries()->last() != 19) _exit(1);
      std::_Exit(0);  // no destructor: nothing closes the WAL
    });
    CHECK_FALSE(std::filesystem::exists(dir + "/" + raftlog::kEndFileName));
    CHECK(replay(dir).entries == make_entries(1, 19, 1, 1000));
  }
  SECTION("truncation, then the entries that replace them") {
    crash_after([&] {
      auto log = raftlog::wal::open(dir, {}, small_segment_options());
      if (!log || !(*log)->read_all() || !(*log)->truncate(20)) _exit(1);
      if (!(*log)->append({2, 2, 5}, make_entries(20, 21, 2, 10)) || !(*log)->sync()) _exit(1);
      std::_Exit(0);
    });
    auto expected = make_entries(1, 19, 1, 1000);
    for (auto& e : make_entries(20, 21, 2, 10)) expected.push_back(e);
    CHECK(replay(dir).entries == expected);
  }
  // Reopened for writing, the WAL goes on from there, and its index agrees.
  auto log = raftlog::wal::open(dir, {}, small_segment_options());
  REQUIRE(log);
  auto contents = (*log)->read_all();
  REQUIRE(contents);
  const auto last = contents->entries.back().index;
  CHECK((*log)->entries()->last() == last);
  auto located = (*log)->entries()->locate(1, last + 1);
  REQUIRE(located);
  auto read = raftlog::entry_reader(dir).read(*located);
  REQUIRE(read);
  CHECK(*read == contents->entries);
  CHECK(raftlog::verify_wal(dir, {}));
}

TEST_CASE("a truncation takes effect at once and is durable with the next sync or close",
          "[wal][truncate]") {
  temp_dir tmp;
  const std::string dir = tmp / "wal";
  auto log = wal_committed_to(dir, 5);
  const auto segments_before = log->segments().size();
  REQUIRE(log->truncate(30));  // entry 29 sits in a segment before the tail
  CHECK(log->last_index() == 29);
  CHECK(log->highest_index() == 60);  // 30..60 are still records in the segments
  CHECK(log->entries()->last() == 29);
  auto gone = log->entries()->locate(29, 31);
  REQUIRE_FALSE(gone);
  CHECK(gone.error().message() == "entry 30 is unavailable: the last entry is 29");
  // The next append may start at the truncation point, not after the dropped entries.
  auto gap = log->append({}, make_entries(31, 31, 2, 10));
  REQUIRE_FALSE(gap);
  CHECK(gap.error().code() == errc::invalid_argument);
  REQUIRE(log->truncate(25));  // again, lower
  CHECK(log->last_index() == 24);
  REQUIRE(log->close());
  CHECK(log->segments().size() >= segments_before);

  // A clean close records the re-written entry as the last one; every reader agrees.
  CHECK(replay(dir).entries == make_entries(1, 24, 1, 1000));
  CHECK(raftlog::verify_wal(dir, {}));
  auto reopened = raftlog::wal::open(dir, {}, small_segment_options());
  REQUIRE(reopened);
  REQUIRE((*reopened)->read_all());
  CHECK((*reopened)->last_index() == 24);
}

TEST_CASE("a truncation raft forbids is refused and writes nothing", "[wal][truncate]") {
  temp_dir tmp;
  const std::string dir = tmp / "wal";
  auto log = wal_committed_to(dir, 15);
  REQUIRE(log->save_snapshot({12, 1}));
  REQUIRE(log->sync());
  const std::string digest = wal_digest(dir);
  struct refused_case {
    std::uint64_t index;
    const char* reason;
  };
  const refused_case cases[] = {
      {15, "the last hard state commits index 15, and a committed entry is never removed"},
      {3, "the last hard state commits index 15, and a committed entry is never removed"},
  };
  for (const auto& c : cases) {
    auto refused = log->truncate(c.index);
    REQUIRE_FALSE(refused);
    CHECK(refused.error().code() == errc::invalid_argument);
    CHECK(refused.error().message() == "truncation of " + dir + " from index " +
                                           std::to_string(c.index) +
                                           " refused (nothing written): " + c.reason);
  }
  CHECK(log->truncate(61));  // nothing to drop: nothing written
  CHECK(log->last_index() == 60);
  CHECK(log->entries()->last() == 60);
  CHECK(wal_digest(dir) == digest);
  REQUIRE(log->truncate(16));  // just above the commit
  CHECK(log->last_index() == 15);
}

TEST_CASE("a truncation at or below a snapshot record is refused even above the commit",
          "[wal][truncate]") {
  temp_dir tmp;
  const std::string dir = tmp / "wal";
  auto log = wal_committed_to(dir, 5);
  REQUIRE(log->save_snapshot({12, 1}));  // the WAL does not tie a marker to the commit
  auto refused = log->truncate(9);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().message() == "truncation of " + dir + " from index 9 refused (nothing "
                                     "written): entries up to the snapshot at index 12 are "
                                     "compacted");
  CHECK(log->last_index() == 60);
}

TEST_CASE("dropping every entry after the newest snapshot is refused: no record expresses it",
          "[wal][truncate]") {
  temp_dir tmp;
  const std::string dir = tmp / "wal";
  auto created = raftlog::wal::create(dir, "meta", small_segment_options());
  REQUIRE(created);
  auto& log = **created;
  REQUIRE(log.save({1, 1, 10}, make_entries(1, 14, 1, 100)));
  REQUIRE(log.save_snapshot({10, 1}));
  const std::string digest = wal_digest(dir);
  auto refused = log.truncate(11);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().message() ==
        "truncation of " + dir + " from index 11 refused (nothing written): it would drop every "
        "entry after the snapshot at index 10, which no WAL record can do (a replay from that "
        "snapshot skips entry 10); append the entries that replace them from index 11 instead");
  auto compacted = log.truncate(10);
  REQUIRE_FALSE(compacted);
  CHECK(compacted.error().message().find("the last hard state commits index 10") !=
        std::string::npos);
  CHECK(wal_digest(dir) == digest);
  // The append that replaces them does it (etcd's replay rule), and so does a truncation above.
  REQUIRE(log.truncate(13));
  REQUIRE(log.save({2, 2, 10}, make_entries(11, 11, 2, 5)));
  REQUIRE(log.close());
  const auto after = replay(dir, {10, 1});
  REQUIRE(after.entries.size() == 1);
  CHECK(after.entries.front() == make_entries(11, 11, 2, 5).front());
}

TEST_CASE("a truncated encrypted store reopens with its payloads authenticated",
          "[wal][truncate]") {
  temp_dir tmp;
  auto codec = single_key_codec(codec::cipher::xchacha20poly1305, make_key(1, 0x22));
  const auto plain = make_entries(1, 30, 2);
  {
    auto log = raftlog::encrypted_log::create(tmp / "data", "meta", codec);
    REQUIRE(log);
    REQUIRE((*log)->save({2, 1, 10}, plain));
    REQUIRE((*log)->log().truncate(21));
    REQUIRE((*log)->close());
  }
  forget_clean_close((tmp / "data") + "/wal-v3-encrypted");
  raftlog::recovered_state recovered;
  auto reopened = raftlog::encrypted_log::open(tmp / "data", codec, recovered);
  REQUIRE(reopened);
  CHECK(recovered.entries == std::vector<entry>(plain.begin(), plain.begin() + 20));
  CHECK(recovered.state.commit == 10);
}
