// fileio/io_counters: every file-layer call is counted by kind, injected failures included.
#include <catch2/catch.hpp>
#include <fcntl.h>

#include <cerrno>

#include "fileio/fault_injection.h"
#include "fileio/file.h"
#include "fileio/io_counters.h"
#include "support/test_support.h"

using namespace raftvault;

TEST_CASE("io counters count file-layer calls by kind") {
  testing::temp_dir dir;
  fileio::reset_io_call_counts();
  auto f = fileio::file::open(dir / "a", O_WRONLY | O_CREAT);
  REQUIRE(f);
  REQUIRE(f->write_all("abc"));
  REQUIRE(f->fdatasync());
  REQUIRE(f->fdatasync());
  fileio::inject_fault(fileio::op::fdatasync, 1, EIO);
  CHECK_FALSE(f->fdatasync());
  fileio::clear_faults();
  CHECK(fileio::io_call_count(fileio::op::open) == 1);
  CHECK(fileio::io_call_count(fileio::op::write) == 1);
  CHECK(fileio::io_call_count(fileio::op::fdatasync) == 3);
  CHECK(fileio::io_call_count(fileio::op::fsync) == 0);
  fileio::reset_io_call_counts();
  CHECK(fileio::io_call_count(fileio::op::fdatasync) == 0);
}
