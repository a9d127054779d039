#include "reliability/sweep_isolation.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>

namespace raftvault::reliability {
namespace {

constexpr char kField = '\x1f';
constexpr int kExitNeedsReset = 3;

std::string flatten(std::string text) {
  for (char& c : text)
    if (c == '\n' || c == kField) c = ' ';
  return text;
}

void write_all(int fd, const std::string& bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n <= 0) ::_exit(4);
    done += static_cast<std::size_t>(n);
  }
}

[[noreturn]] void child(std::size_t from, std::size_t count, const isolated_case& run, int fd) {
  for (std::size_t i = from; i < count; ++i) {
    bool needs_reset = false;
    const verdict v = run(i, needs_reset);
    write_all(fd, flatten(v.outcome_class) + kField + flatten(v.outcome) + kField +
                      (v.ok ? "1" : "0") + "\n");
    if (needs_reset) ::_exit(kExitNeedsReset);
  }
  ::_exit(0);
}

verdict parse(const std::string& line) {
  const auto a = line.find(kField);
  const auto b = line.find(kField, a + 1);
  return {line.substr(0, a), line.substr(a + 1, b - a - 1), line.substr(b + 1) == "1"};
}

}  // namespace

std::vector<verdict> run_isolated(std::size_t count, const isolated_case& run,
                                  const std::function<void()>& reset, double case_timeout_seconds) {
  std::vector<verdict> out;
  const int timeout_ms = static_cast<int>(case_timeout_seconds * 1000);
  while (out.size() < count) {
    int pipe[2];
    if (::pipe2(pipe, O_CLOEXEC) != 0) {
      out.push_back({"HARNESS ERROR", "pipe failed", false});
      continue;
    }
    std::cout.flush();
    std::cerr.flush();
    const pid_t pid = ::fork();
    if (pid == 0) {
      ::close(pipe[0]);
      child(out.size(), count, run, pipe[1]);
    }
    ::close(pipe[1]);
    std::string pending;
    bool hung = false;
    for (;;) {
      pollfd fd{pipe[0], POLLIN, 0};
      const int ready = ::poll(&fd, 1, timeout_ms);
      if (ready == 0) {
        hung = true;
        ::kill(pid, SIGKILL);
        break;
      }
      if (ready < 0) continue;
      char buffer[8192];
      const ssize_t got = ::read(pipe[0], buffer, sizeof buffer);
      if (got <= 0) break;
      pending.append(buffer, static_cast<std::size_t>(got));
      for (std::size_t nl; (nl = pending.find('\n')) != std::string::npos;) {
        out.push_back(parse(pending.substr(0, nl)));
        pending.erase(0, nl + 1);
      }
    }
    ::close(pipe[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (out.size() >= count) break;
    if (hung) {
      out.push_back({"HANG", "no verdict within " + std::to_string(timeout_ms / 1000) + " s", false});
    } else if (WIFSIGNALED(status)) {
      out.push_back({"CRASH", "killed by signal " + std::to_string(WTERMSIG(status)), false});
    } else if (!WIFEXITED(status) || WEXITSTATUS(status) != kExitNeedsReset) {
      out.push_back({"CRASH", "exited with status " + std::to_string(WEXITSTATUS(status)) +
                                  " in the middle of the case", false});
    }
    reset();
  }
  return out;
}

}  // namespace raftvault::reliability
