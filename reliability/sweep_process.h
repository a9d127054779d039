// The corruption sweep's way of running a program: the real `raftvault` binary (to build CLI
// stores and to check the CLI path on a sample of damaged stores), with a deadline, so a hang
// is a recorded outcome and never stalls the campaign.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace raftvault::reliability {

struct process_result {
  int exit_code = -1;  // the exit status when it exited
  int signal = 0;      // the signal that ended it (0 when it exited)
  bool timed_out = false;  // killed at the deadline
  std::string out;
  std::string err;
};

// Runs `binary args...` with stdin from /dev/null (never a terminal, so no prompt), stdout and
// stderr captured, RAFTVAULT_UNLOCK_KEY and RAFTVAULT_CRASH_AT cleared and `env` set. Killed
// (SIGKILL) after `timeout_seconds`.
process_result run_process(const std::string& binary, const std::vector<std::string>& args,
                           const std::vector<std::pair<std::string, std::string>>& env,
                           double timeout_seconds);

// "exit 1", "killed by signal 11", "hung (killed after 20 s)".
std::string describe_end(const process_result& r);

}  // namespace raftvault::reliability
