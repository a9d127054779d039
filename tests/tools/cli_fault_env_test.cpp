// The real binary under RAFTVAULT_FAULT (fileio/fault_injection.h), as the disk-fault campaign
// runs it: the fault fires and says so, the command fails with the usual error naming the
// file, and a malformed value stops the program before it does anything.
#include "cli_fixtures.h"

using namespace raftvault;
using namespace raftvault::testing;

TEST_CASE("RAFTVAULT_FAULT fails the named call of the real binary and reports it", "[cli][fault]") {
  temp_dir dir;
  const std::string store = dir / "store";
  auto failed = run_raftvault({"init", "--data-dir", store}, {{"RAFTVAULT_FAULT", "fsync_dir:1:EIO"}});
  INFO(failed.err);
  CHECK(failed.exit_code == 1);
  CHECK(failed.err.find("raftvault: RAFTVAULT_FAULT: fsync_dir call 1 failed with EIO\n") == 0);
  CHECK(failed.err.find("Input/output error") != std::string::npos);

  auto created = run_raftvault({"init", "--data-dir", store});
  INFO(created.err);
  CHECK(created.exit_code == 0);
}

TEST_CASE("a malformed RAFTVAULT_FAULT stops the binary before it does anything", "[cli][fault]") {
  temp_dir dir;
  const std::string store = dir / "store";
  auto refused = run_raftvault({"init", "--data-dir", store}, {{"RAFTVAULT_FAULT", "write:x:EIO"}});
  CHECK(refused.exit_code == 2);
  CHECK(refused.err == "raftvault: RAFTVAULT_FAULT item 'write:x:EIO': N must be a count from 1\n");
  CHECK_FALSE(std::filesystem::exists(store));
}
