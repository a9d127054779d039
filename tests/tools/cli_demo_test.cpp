// The quick start's main job, `raftvault demo`, end to end through the real binary: a locked
// store under load, DEK and unlock-key rotations, a writer killed with SIGKILL, every
// acknowledged entry checked, verify ok; the store it leaves opens with the key it wrote.
#include "cli_fixtures.h"

using namespace raftvault;
using namespace raftvault::testing;

TEST_CASE("the demo runs end to end and leaves a store that opens with its unlock key",
          "[cli][demo]") {
  temp_dir dir;
  const std::string store = dir / "demo";
  auto demo = run_raftvault({"demo", "--data-dir", store, "--seconds", "1", "--producers", "2"});
  INFO(demo.out << demo.err);
  REQUIRE(demo.exit_code == 0);
  CHECK_THAT(demo.out, Catch::Contains("result: ok"));
  CHECK_THAT(demo.out, Catch::Contains("after:  DEK generation 2"));
  CHECK_THAT(demo.out, Catch::Contains("kek-version 2"));

  const std::string key_file = store + "/unlock.key";
  REQUIRE(std::filesystem::exists(key_file));
  auto status = run_raftvault({"status", "--data-dir", store, "--unlock-key-file", key_file});
  INFO(status.out << status.err);
  CHECK(status.exit_code == 0);
  auto locked = run_raftvault({"status", "--data-dir", store});
  CHECK(locked.exit_code == 1);  // locked: no key, no status
}
