// verify on a store whose DEK rotation was stopped between retiring the old key and deleting
// the files only that key opens: the older snapshot it leaves is replaced by the newer one a
// restart uses, so it is counted, as old entries are, not reported as damage.
#include <sys/wait.h>
#include <unistd.h>

#include "actors/pipeline.h"
#include "actors/service_model.h"  // tests/actors: the service a rotation asks for snapshots
#include "cli_fixtures.h"
#include "fileio/crash_point.h"

using namespace raftvault;
using namespace raftvault::testing;

namespace {

// The child: a snapshot at 10 sealed with generation 1, then a rotation to generation 2 that
// stops dead once {C := P} is persisted, before the old key's files are deleted.
[[noreturn]] void rotate_and_stop_after_retire(const temp_dir& dir) {
  auto opened = actors::blocking_storage::open(test_store_options(dir, 64 << 10));
  if (!opened) ::_exit(10);
  auto& storage = **opened;
  auto model = std::make_shared<service_model>();
  const auto entries = make_entries(1, 20, 1, 64);
  model->propose(entries);
  if (!storage.append({1, 1, 20}, entries)) ::_exit(11);
  model->acknowledge(entries);
  if (!storage.save_snapshot(test_snapshot(10))) ::_exit(12);
  storage.register_snapshot_provider(storage.system().spawn(snapshot_provider, model));
  fileio::arm_crash_point("rotation.after_retire_persisted");
  (void)storage.rotate_dek();
  ::_exit(13);
}

}  // namespace

TEST_CASE("verify counts an older snapshot under a retired key left by an interrupted retire", "[cli][verify]") {
  temp_dir dir;
  const std::string store = dir / "store";  // test_store_options' place
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) rotate_and_stop_after_retire(dir);
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == fileio::kCrashExitCode);
  REQUIRE(list_files(store + "/snap-v3-encrypted").size() == 2);

  auto verified = run_raftvault({"verify", "--data-dir", store});
  INFO(verified.err);
  CHECK(verified.exit_code == 0);
  CHECK(verified.out.find("2 file(s) ok, 1 authenticated, 1 older than the restart's under a retired key") !=
        std::string::npos);
  CHECK(verified.out.find("result: ok") != std::string::npos);
}
