// Running the real `raftvault` binary from tests: fork + exec with stdin from /dev/null (never a
// terminal, so no prompt), stdout and stderr captured, a chosen environment.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace raftvault::testing {

struct run_result {
  int exit_code = -1;  // the exit status, or 128 + signal
  std::string out;
  std::string err;
};

// `env`: variables set for the child (RAFTVAULT_UNLOCK_KEY and RAFTVAULT_CRASH_AT are cleared
// unless given here). `stdout_path`: where the child's stdout goes instead of being captured
// (e.g. /dev/full, where every write fails as on a full disk); `out` is then empty.
// `closed_fds`: standard fds the child starts with closed (`>&-`); their capture stays empty.
// `program`: another binary of the build (raftvault-bench).
run_result run_raftvault(const std::vector<std::string>& args,
                         const std::map<std::string, std::string>& env = {},
                         const std::string& stdout_path = {}, const std::vector<int>& closed_fds = {},
                         const std::string& program = "raftvault");

}  // namespace raftvault::testing
