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

raftlog::wal_options small_segments() {
  raftlog::wal_options options;
  options.segment_size = 8 * 1024;
  return options;
}

// The child: create, then saves of 4 entries (each acknowledged on the pipe) until 80.
[[noreturn]] void child_workload(const std::string& dir, int ack_fd) {
  auto log = raftlog::wal::create(dir, "meta", small_segments());
  if (!log) _exit(2);
  for (std::uint64_t i = 1; i <= 80; i += 4) {
    if (!(*log)->save({1, 1, i - 1}, make_entries(i, i + 3, 1, 700))) _exit(3);
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

crash_outcome run_child(const std::string& dir, const std::string& point) {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::close(fds[0]);
    fileio::arm_crash_point(point);
    child_workload(dir, fds[1]);
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
        auto created = raftlog::wal::create(dir, "meta", small_segments());
        REQUIRE(created);
        CHECK_FALSE(std::filesystem::exists(dir + ".tmp"));
        continue;
      }
      auto opened = raftlog::wal::open(dir, {0, 0}, small_segments());
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
