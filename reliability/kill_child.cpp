#include "reliability/kill_child.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <utility>

namespace raftvault::reliability {

std::string child_exit::describe() const {
  if (timed_out) return "hung: killed after the deadline";
  if (signaled) return "killed by signal " + std::to_string(code);
  return "exit " + std::to_string(code);
}

result<child_process> child_process::start(const std::string& program,
                                           const std::vector<std::string>& args,
                                           const std::map<std::string, std::string>& env,
                                           const std::string& out_path, const std::string& err_path) {
  // Everything the child needs is prepared before fork: after it only async-signal-safe calls.
  std::vector<std::string> words{program};
  words.insert(words.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& w : words) argv.push_back(w.data());
  argv.push_back(nullptr);
  std::vector<std::string> variables;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry(*e);
    const auto name = entry.substr(0, entry.find('='));
    if (name == "RAFTVAULT_CRASH_AT" || name == "RAFTVAULT_FAULT" || name == "RAFTVAULT_UNLOCK_KEY" ||
        env.count(name) > 0)
      continue;
    variables.push_back(entry);
  }
  for (const auto& [name, value] : env) variables.push_back(name + "=" + value);
  std::vector<char*> envp;
  for (auto& v : variables) envp.push_back(v.data());
  envp.push_back(nullptr);

  const int in = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  const int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  const int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  auto close_all = [&] {
    for (int fd : {in, out, err})
      if (fd >= 0) ::close(fd);
  };
  if (in < 0 || out < 0 || err < 0) {
    const int saved = errno;
    close_all();
    return io_error("open the output files of", program, saved);
  }
  const pid_t pid = ::fork();
  if (pid < 0) {
    const int saved = errno;
    close_all();
    return io_error("fork for", program, saved);
  }
  if (pid == 0) {
    if (::dup2(in, 0) < 0 || ::dup2(out, 1) < 0 || ::dup2(err, 2) < 0) ::_exit(127);
    ::execve(program.c_str(), argv.data(), envp.data());
    ::_exit(127);
  }
  close_all();
  // glibc 2.36's <sys/pidfd.h> lacks C linkage for C++, hence the raw system call.
  const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (pidfd < 0) {
    const int saved = errno;
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    return io_error("pidfd_open for", program, saved);
  }
  return child_process(pid, pidfd);
}

child_process::child_process(child_process&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      pidfd_(std::exchange(other.pidfd_, -1)),
      ended_(std::move(other.ended_)) {}

child_process::~child_process() {
  if (pid_ > 0 && !ended_) kill_now();
  if (pidfd_ >= 0) ::close(pidfd_);
}

std::optional<child_exit> child_process::reap(bool block) {
  if (ended_) return ended_;
  int status = 0;
  pid_t got;
  do {
    got = ::waitpid(pid_, &status, block ? 0 : WNOHANG);
  } while (got < 0 && errno == EINTR);
  if (got != pid_) return std::nullopt;
  child_exit e;
  if (WIFSIGNALED(status)) {
    e.signaled = true;
    e.code = WTERMSIG(status);
  } else {
    e.code = WEXITSTATUS(status);
  }
  ended_ = e;
  return ended_;
}

std::optional<child_exit> child_process::wait_for(std::chrono::milliseconds timeout) {
  if (ended_) return ended_;
  const auto until = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    // The pidfd becomes readable when the child ends: no polling loop with sleeps.
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        until - std::chrono::steady_clock::now());
    pollfd p{pidfd_, POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(std::max<std::int64_t>(left.count(), 0)));
    if (ready < 0 && errno == EINTR) continue;
    if (ready > 0) return reap(true);
    return std::nullopt;
  }
}

child_exit child_process::kill_now() {
  if (!ended_) {
    // Not reaped yet, so the pid cannot name another process.
    ::kill(pid_, SIGKILL);
    reap(true);
  }
  return *ended_;
}

result<child_exit> run_child(const std::string& program, const std::vector<std::string>& args,
                             const std::map<std::string, std::string>& env,
                             const std::string& out_path, const std::string& err_path,
                             std::chrono::milliseconds deadline) {
  RV_ASSIGN(auto child, child_process::start(program, args, env, out_path, err_path));
  if (auto ended = child.wait_for(deadline)) return *ended;
  child_exit e = child.kill_now();
  e.timed_out = true;
  return e;
}

std::string last_line_of(const std::string& path) {
  std::ifstream in(path);
  std::string line, last;
  while (std::getline(in, line))
    if (!line.empty()) last = line;
  return last;
}

}  // namespace raftvault::reliability
