// Crash tests: a forked child runs a WAL workload and stops dead (_exit) at one named crash
// point; the parent reopens and checks that every acknowledged entry is there and that the
// WAL accepts new writes. The child reports each acknowledged index through a pipe.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include "fileio/crash_point.h"
#include "raftlog/wal.h"
#include "wal_test_support.h"

using namespace raftvault;
using namespace raftvault::testing;

namespace {

enum class workload {
  save,          // save() of 4 entries, each acknowledged
  group_commit,  // append() of 4 entries three times, then one sync() acknowledging all 12
};

// The child: create, then writes of 4 entries until 80, acknowledging each durable index on
// the pipe.
[[noreturn]] void child_workload(const std::string& dir, int ack_fd, workload kind) {
  auto log = raftlog::wal::create(dir, "meta", small_segment_options());
  if (!log) _exit(2);
  for (std::uint64_t i = 1; i <= 80; i += 4) {
    const hard_state state{1, 1, i - 1};
    const auto entries = make_entries(i, i + 3, 1, 700);
    const bool acknowledge = kind == workload::save || (i + 3) % 12 == 0 || i + 3 == 80;
    if (kind == workload::save) {
      if (!(*log)->save(state, entries)) _exit(3);
    } else {
      if (!(*log)->append(state, entries)) _exit(3);
      if (acknowledge && !(*log)->sync()) _exit(3);
    }
    if (!acknowledge) continue;
    const std::uint64_t acked = i + 3;
    if (::write(ack_fd, &acked, sizeof acked) != sizeof acked) _exit(4);
  }
  (void)(*log)->close();
  _exit(0);
}

struct crash_outcome {
  int exit_code = -1;
  std::uint64_t acknowledged = 0;
};

crash_outcome run_child(const std::string& dir, const std::string& point,
                        workload kind = workload::save) {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::close(fds[0]);
    fileio::arm_crash_point(point);
    child_workload(dir, fds[1], kind);
  }
  ::close(fds[1]);
  crash_outcome out;
  std::uint64_t acked;
  while (::read(fds[0], &acked, sizeof acked) == sizeof acked) out.acknowledged = acked;
  ::close(fds[0]);
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  if (WIFEXITED(status)) out.exit_code = WEXITSTATUS(status);
  return out;
}

}  // namespace

TEST_CASE("a crash at any named point loses no acknowledged entry", "[wal][crash]") {
  const char* points[] = {
      "wal.create.before_rename", "wal.create.after_rename", "wal.save.after_write",
      "wal.cut.after_old_sync",   "wal.cut.after_new_write", "wal.cut.after_rename",
  };
  for (const char* point : points) {
    SECTION(point) {
      temp_dir tmp;
      const std::string dir = tmp / "wal";
      const auto outcome = run_child(dir, point);
      REQUIRE(outcome.exit_code == fileio::kCrashExitCode);

      if (std::string(point) == "wal.create.before_rename") {
        CHECK_FALSE(raftlog::wal_exists(dir));
        CHECK(std::filesystem::exists(dir + ".tmp"));
        auto created = raftlog::wal::create(dir, "meta", small_segment_options());
        REQUIRE(created);
        CHECK_FALSE(std::filesystem::exists(dir + ".tmp"));
        continue;
      }
      auto opened = raftlog::wal::open(dir, {0, 0}, small_segment_options());
      REQUIRE(opened);
      auto& log = *opened;
      auto read = log->read_all();
      REQUIRE(read);
      CHECK(read->metadata == "meta");
      // Everything acknowledged is there; the save in flight may or may not be.
      const auto& entries = read->entries;
      REQUIRE(entries.size() >= outcome.acknowledged);
      CHECK(entries.size() <= outcome.acknowledged + 4);
      if (!entries.empty())
        CHECK(entries == make_entries(1, entries.size(), 1, 700));
      if (std::string(point).rfind("wal.cut", 0) == 0) CHECK(outcome.acknowledged > 0);

      // The log continues where it ends, across further cuts.
      const std::uint64_t next = entries.size() + 1;
      REQUIRE(log->save({2, 2, next}, make_entries(next, next + 19, 2, 700)));
      REQUIRE(log->close());
      auto again = raftlog::read_wal(dir, {0, 0});
      REQUIRE(again);
      CHECK(again->entries.size() == next + 19);
      CHECK(again->state == hard_state{2, 2, next});
      for (const auto& name : list_files(dir))
        CHECK(name.find(".tmp") == std::string::npos);
    }
  }
}

TEST_CASE("group commit: a crash at each background step of a cut loses no synced entry",
          "[wal][crash]") {
  // append() leaves a cut's syncs and rename to the cut finisher's thread, where these crash
  // points fire while the appender may already be writing into the new segment's spare.
  for (const char* point :
       {"wal.cut.after_old_sync", "wal.cut.after_new_write", "wal.cut.after_rename"}) {
    SECTION(point) {
      temp_dir tmp;
      const std::string dir = tmp / "wal";
      const auto outcome = run_child(dir, point, workload::group_commit);
      REQUIRE(outcome.exit_code == fileio::kCrashExitCode);
      CHECK(outcome.acknowledged > 0);

      auto opened = raftlog::wal::open(dir, {0, 0}, small_segment_options());
      REQUIRE(opened);
      auto read = (*opened)->read_all();
      REQUIRE(read);
      // A prefix of what was written, holding every acknowledged entry; whatever was only
      // appended may be there or not, but never with a hole.
      const auto& entries = read->entries;
      REQUIRE(entries.size() >= outcome.acknowledged);
      CHECK(entries.size() <= 80);
      CHECK(entries == make_entries(1, entries.size(), 1, 700));
      const std::uint64_t next = entries.size() + 1;
      REQUIRE((*opened)->save({2, 2, next}, make_entries(next, next + 19, 2, 700)));
      REQUIRE((*opened)->close());
      auto again = raftlog::read_wal(dir, {0, 0});
      REQUIRE(again);
      CHECK(again->entries.size() == next + 19);
      for (const auto& name : list_files(dir))
        CHECK(name.find(".tmp") == std::string::npos);
    }
  }
}
