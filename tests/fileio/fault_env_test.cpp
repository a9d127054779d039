// RAFTVAULT_FAULT, the fault hook's form for exec'd test children (fileio/fault_injection.h):
// what it arms, and the errors that name the part at fault.
#include <fcntl.h>

#include <catch2/catch.hpp>

#include "fileio/fault_injection.h"
#include "fileio/file.h"
#include "support/test_support.h"

using namespace raftvault;
using namespace raftvault::fileio;
using raftvault::testing::temp_dir;

namespace {

struct clear_faults_at_exit {
  ~clear_faults_at_exit() { clear_faults(); }
};

}  // namespace

TEST_CASE("a RAFTVAULT_FAULT value arms each of its faults", "[fileio]") {
  clear_faults_at_exit cleanup;
  temp_dir dir;
  auto f = file::open(dir / "data", O_RDWR | O_CREAT);
  REQUIRE(f);
  REQUIRE(arm_faults("write:2:ENOSPC,fdatasync:1:5:sticky"));
  CHECK(f->write_all("a"));
  auto second = f->write_all("b");
  REQUIRE_FALSE(second);
  CHECK(second.error().sys_errno() == ENOSPC);
  CHECK(second.error().message().find(dir / "data") != std::string::npos);
  CHECK(f->write_all("c"));  // not sticky: the disk took the next one
  CHECK(f->fdatasync().error().sys_errno() == EIO);
  CHECK(f->fdatasync().error().sys_errno() == EIO);  // sticky
}

TEST_CASE("a malformed RAFTVAULT_FAULT value is refused, naming the part", "[fileio]") {
  clear_faults_at_exit cleanup;
  const std::pair<const char*, const char*> cases[] = {
      {"bogus:1:EIO", "RAFTVAULT_FAULT item 'bogus:1:EIO': unknown kind 'bogus'"},
      {"write:0:EIO", "RAFTVAULT_FAULT item 'write:0:EIO': N must be a count from 1"},
      {"write:1:EWHAT", "RAFTVAULT_FAULT item 'write:1:EWHAT': unknown errno 'EWHAT'"},
      {"write:1", "RAFTVAULT_FAULT item 'write:1': expected KIND:N:ERRNO[:sticky]"},
      {"write:1:EIO:always", "RAFTVAULT_FAULT item 'write:1:EIO:always': the fourth part can only be 'sticky'"},
      {"write:1:EIO,", "RAFTVAULT_FAULT item '': expected KIND:N:ERRNO[:sticky]"},
  };
  for (const auto& [spec, message] : cases) {
    INFO(spec);
    auto armed = arm_faults(spec);
    REQUIRE_FALSE(armed);
    CHECK(armed.error().code() == errc::invalid_argument);
    CHECK(armed.error().message() == message);
  }
  // Nothing of a refused value is armed.
  temp_dir dir;
  auto f = file::open(dir / "data", O_RDWR | O_CREAT);
  REQUIRE(f);
  CHECK(f->write_all("a"));
}
