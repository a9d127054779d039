#include "cli_support.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <stdexcept>

#include "support/test_support.h"

namespace raftvault::testing {

run_result run_raftvault(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
                         const std::string& stdout_path, const std::vector<int>& closed_fds,
                         const std::string& program) {
  temp_dir capture;
  const std::string out_path = stdout_path.empty() ? capture / "stdout" : stdout_path;
  const std::string err_path = capture / "stderr";
  const std::string binary = std::string(RAFTVAULT_BIN_DIR) + "/" + program;
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    int in = ::open("/dev/null", O_RDONLY);
    int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (in < 0 || out < 0 || err < 0) ::_exit(127);
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(err, 2);
    for (int fd : {in, out, err})
      if (fd > 2) ::close(fd);
    for (int fd : closed_fds) ::close(fd);
    ::unsetenv("RAFTVAULT_UNLOCK_KEY");
    ::unsetenv("RAFTVAULT_CRASH_AT");
    for (const auto& [name, value] : env) ::setenv(name.c_str(), value.c_str(), 1);
    std::vector<char*> argv;
    std::string argv0 = binary;
    argv.push_back(argv0.data());
    std::vector<std::string> copies(args);
    for (auto& a : copies) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(binary.c_str(), argv.data());
    ::_exit(127);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  run_result result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  if (stdout_path.empty()) result.out = read_bytes(out_path);
  result.err = read_bytes(err_path);
  return result;
}

}  // namespace raftvault::testing
