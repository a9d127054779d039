// A child process of a campaign: one of raftvault's programs started with a chosen environment,
// its stdout and stderr going to files, waited for with a deadline and killed on demand. The
// kill -9 and disk-fault campaigns drive raftvault-bench and raftvault through it.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "codec/error.h"

namespace raftvault::reliability {

// How a child ended.
struct child_exit {
  bool signaled = false;  // killed by `code` (a signal number); else exited with `code`
  int code = -1;
  bool timed_out = false;  // killed by the campaign after its deadline
  bool exited_with(int status) const { return !signaled && code == status; }
  std::string describe() const;  // "exit 86", "killed by signal 9", "hung: killed after the deadline"
};

class child_process {
 public:
  // Starts `program` with `args`. Environment: the campaign's own, without the variables that
  // arm faults or crash points or carry an unlock key (RAFTVAULT_CRASH_AT, RAFTVAULT_FAULT,
  // RAFTVAULT_UNLOCK_KEY), plus `env`. stdin is /dev/null; stdout and stderr go to `out_path`
  // and `err_path` (truncated).
  static result<child_process> start(const std::string& program, const std::vector<std::string>& args,
                                     const std::map<std::string, std::string>& env,
                                     const std::string& out_path, const std::string& err_path);

  child_process(child_process&& other) noexcept;
  child_process& operator=(child_process&&) = delete;
  child_process(const child_process&) = delete;
  ~child_process();  // a child still running is killed and reaped

  // Waits up to `timeout` for the child to end; nullopt while it still runs.
  std::optional<child_exit> wait_for(std::chrono::milliseconds timeout);
  // SIGKILL (when still running), then reaps it.
  child_exit kill_now();

 private:
  child_process(pid_t pid, int pidfd) : pid_(pid), pidfd_(pidfd) {}
  std::optional<child_exit> reap(bool block);

  pid_t pid_ = -1;
  int pidfd_ = -1;
  std::optional<child_exit> ended_;
};

// Runs a child to its end; after `deadline` it is killed (child_exit::timed_out).
result<child_exit> run_child(const std::string& program, const std::vector<std::string>& args,
                             const std::map<std::string, std::string>& env,
                             const std::string& out_path, const std::string& err_path,
                             std::chrono::milliseconds deadline);

// The last line of a file, for outcomes ("" when empty or unreadable).
std::string last_line_of(const std::string& path);

}  // namespace raftvault::reliability
