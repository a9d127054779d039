#include "fileio/file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "fileio/crash_point.h"
#include "fileio/fault_injection.h"
#include "fileio/io_counters.h"
#include "support/test_support.h"

using namespace raftvault;
using namespace raftvault::fileio;
using raftvault::testing::temp_dir;

TEST_CASE("write_file_atomic replaces durably with the requested mode", "[fileio]") {
  temp_dir dir;
  const auto path = dir / "key";
  REQUIRE(write_file_atomic(path, "one"));
  REQUIRE(write_file_atomic(path, "two"));
  CHECK(read_file(path).value() == "two");
  struct stat st;
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK_FALSE(exists(path + ".tmp"));
}

TEST_CASE("an injected fault fails exactly the Nth call and leaves the old file", "[fileio]") {
  temp_dir dir;
  const auto path = dir / "state";
  REQUIRE(write_file_atomic(path, "old"));
  inject_fault(op::rename, 1, EIO);
  auto st = write_file_atomic(path, "new");
  clear_faults();
  REQUIRE_FALSE(st);
  CHECK(st.error().code() == errc::io);
  CHECK(st.error().sys_errno() == EIO);
  CHECK(st.error().message().find(path) != std::string::npos);
  CHECK(read_file(path).value() == "old");

  inject_fault(op::write, 2, ENOSPC, /*sticky=*/true);
  auto f = file::open(dir / "data", O_WRONLY | O_CREAT);
  REQUIRE(f);
  CHECK(f->write_all("a"));
  CHECK(f->write_all("b").error().sys_errno() == ENOSPC);
  CHECK(f->write_all("c").error().sys_errno() == ENOSPC);
  clear_faults();
  CHECK(f->write_all("d"));
}

TEST_CASE("a crash point stops a child dead at the named point", "[fileio]") {
  temp_dir dir;
  const auto path = dir / "state";
  REQUIRE(write_file_atomic(path, "old"));
  pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    arm_crash_point("atomic_write.before_rename");
    (void)write_file_atomic(path, "new");
    _exit(0);
  }
  int wstatus = 0;
  REQUIRE(::waitpid(child, &wstatus, 0) == child);
  REQUIRE(WIFEXITED(wstatus));
  CHECK(WEXITSTATUS(wstatus) == kCrashExitCode);
  CHECK(read_file(path).value() == "old");
  CHECK(read_file(path + ".tmp").value() == "new");
}

TEST_CASE("a second exclusive lock on the same path is refused", "[fileio]") {
  temp_dir dir;
  auto first = exclusive_lock::acquire(dir / "LOCK");
  REQUIRE(first);
  auto second = exclusive_lock::acquire(dir / "LOCK");
  REQUIRE_FALSE(second);
  CHECK(second.error().code() == errc::locked);
  CHECK(second.error().message().find(dir / "LOCK") != std::string::npos);
}

TEST_CASE("a reader's lock creates no lock file and is refused while another holds it", "[fileio]") {
  temp_dir dir;
  auto absent = exclusive_lock::acquire_if_present(dir / "LOCK");
  REQUIRE(absent);
  CHECK_FALSE(absent->held());
  CHECK_FALSE(exists(dir / "LOCK"));
  auto writer = exclusive_lock::acquire(dir / "LOCK");
  REQUIRE(writer);
  CHECK(writer->held());
  auto reader = exclusive_lock::acquire_if_present(dir / "LOCK");
  REQUIRE_FALSE(reader);
  CHECK(reader.error().code() == errc::locked);
  writer = exclusive_lock();
  auto after = exclusive_lock::acquire_if_present(dir / "LOCK");
  REQUIRE(after);
  CHECK(after->held());
}

TEST_CASE("exchange swaps two files and two directories atomically", "[fileio]") {
  temp_dir dir;
  const auto a = dir / "a";
  const auto b = dir / "b";
  REQUIRE(write_file_atomic(a, "contents of a"));
  REQUIRE(write_file_atomic(b, "contents of b"));
  REQUIRE(exchange(a, b));
  CHECK(read_file(a).value() == "contents of b");
  CHECK(read_file(b).value() == "contents of a");

  // Directories swap whole, non-empty ones included (offline DEK rotation swaps WAL dirs).
  REQUIRE(make_dir(dir / "live"));
  REQUIRE(make_dir(dir / "fresh"));
  REQUIRE(write_file_atomic(dir / "live/segment", "old"));
  REQUIRE(write_file_atomic(dir / "fresh/segment", "new"));
  REQUIRE(exchange(dir / "fresh", dir / "live"));
  CHECK(read_file(dir / "live/segment").value() == "new");
  CHECK(read_file(dir / "fresh/segment").value() == "old");
}

TEST_CASE("exchange refuses a missing path and changes nothing", "[fileio]") {
  temp_dir dir;
  const auto present = dir / "present";
  const auto missing = dir / "missing";
  REQUIRE(write_file_atomic(present, "kept"));
  auto st = exchange(present, missing);
  REQUIRE_FALSE(st);
  CHECK(st.error().code() == errc::io);
  CHECK(st.error().sys_errno() == ENOENT);
  CHECK(st.error().message().find("exchange " + present + " <-> " + missing) != std::string::npos);
  CHECK(read_file(present).value() == "kept");
  CHECK_FALSE(exists(missing));
}

TEST_CASE("an injected rename fault fails exchange and leaves both paths as they were",
          "[fileio]") {
  temp_dir dir;
  const auto a = dir / "a";
  const auto b = dir / "b";
  REQUIRE(write_file_atomic(a, "A"));
  REQUIRE(write_file_atomic(b, "B"));
  inject_fault(op::rename, 1, EIO);
  auto st = exchange(a, b);
  clear_faults();
  REQUIRE_FALSE(st);
  CHECK(st.error().code() == errc::io);
  CHECK(st.error().sys_errno() == EIO);
  CHECK(st.error().message().find(a + " <-> " + b) != std::string::npos);
  CHECK(read_file(a).value() == "A");
  CHECK(read_file(b).value() == "B");
  // The fault was one-shot: the next exchange goes through.
  REQUIRE(exchange(a, b));
  CHECK(read_file(a).value() == "B");
}

TEST_CASE("make_dir_durable creates a private directory and fsyncs its parent",
          "[fileio]") {
  temp_dir dir;
  const auto made = dir / "made";
  reset_io_call_counts();
  REQUIRE(make_dir_durable(made));
  struct stat st;
  REQUIRE(::stat(made.c_str(), &st) == 0);
  CHECK(S_ISDIR(st.st_mode));
  CHECK((st.st_mode & 0777) == 0700);
  CHECK(io_call_count(op::mkdir) == 1);
  CHECK(io_call_count(op::fsync_dir) == 1);
  // An existing directory is not made again, but its name is made durable: a crash between
  // the mkdir and the fsync leaves one that may not be, and the retry finds it there.
  REQUIRE(make_dir_durable(made));
  CHECK(io_call_count(op::mkdir) == 1);
  CHECK(io_call_count(op::fsync_dir) == 2);

  inject_fault(op::fsync_dir, 1, EIO);
  auto st2 = make_dir_durable(dir / "other");
  clear_faults();
  REQUIRE_FALSE(st2);
  CHECK(st2.error().sys_errno() == EIO);
  CHECK(st2.error().message().find("fsync directory " + dir.path()) != std::string::npos);
}

TEST_CASE("parent_dir names the directory to fsync", "[fileio]") {
  CHECK(parent_dir("/var/tmp/store/wal") == "/var/tmp/store");
  CHECK(parent_dir("store/wal") == "store");
  CHECK(parent_dir("wal") == ".");
}

TEST_CASE("is_empty_dir: an empty directory only, listing through the fault hook", "[fileio]") {
  temp_dir dir;
  const auto empty = dir / "empty";
  REQUIRE(make_dir(empty));
  CHECK(is_empty_dir(empty).value());
  REQUIRE(make_dir(dir / "full"));
  REQUIRE(write_file_atomic(dir / "full/x", "x"));
  CHECK_FALSE(is_empty_dir(dir / "full").value());
  REQUIRE(write_file_atomic(dir / "file", ""));
  CHECK_FALSE(is_empty_dir(dir / "file").value());  // an empty file is not an empty directory

  auto missing = is_empty_dir(dir / "missing");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code() == errc::io);
  CHECK(missing.error().message() == "list directory " + (dir / "missing") + ": No such file or directory");

  inject_fault(op::read, 1, EIO);
  auto failed = is_empty_dir(empty);
  clear_faults();
  REQUIRE_FALSE(failed);
  CHECK(failed.error().sys_errno() == EIO);
  CHECK(failed.error().message() == "list directory " + empty + ": Input/output error");
}
