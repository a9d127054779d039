// Step 3 of the demo: a writer process under the same load, killed with SIGKILL mid-load. The
// child reports every acknowledged batch through a pipe, so the parent knows exactly which
// entries were promised durable when the process died.
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <iostream>
#include <memory>

#include "tools/args.h"
#include "tools/demo_phases.h"
#include "tools/demo_workload.h"
#include "tools/report.h"

namespace raftvault::cli::demo {
namespace {

using namespace std::chrono_literals;

// The writer child: reopens the store and runs the same load, reporting every acknowledged
// batch (first, last, term) to the parent through `ack_fd`, until it is killed.
[[noreturn]] void child_writer(const demo_config& config, int ack_fd) {
  auto opened = actors::blocking_storage::open(options_for(config));
  if (!opened) {
    std::cerr << "raftvault demo: writer could not open the store: " << opened.error().message() << std::endl;
    ::_exit(1);
  }
  auto& storage = **opened;
  auto recovered = storage.recover();
  if (!recovered) ::_exit(1);
  std::uint64_t last = recovered->snap ? recovered->snap->metadata.index : 0;
  if (!recovered->entries.empty()) last = recovered->entries.back().index;
  auto state = std::make_shared<service_state>();
  state->set_term(2);
  state->proposed(last, 2);
  register_provider(storage, state);
  load_shape shape;
  shape.producers = config.producers;
  shape.term = 2;  // a new leader term after the restart
  load running(storage, state, last + 1, shape, [ack_fd](std::uint64_t first, std::uint64_t end, std::uint64_t term) {
    const std::uint64_t msg[3] = {first, end, term};
    if (::write(ack_fd, msg, sizeof msg) != static_cast<ssize_t>(sizeof msg)) ::_exit(1);
  });
  for (;;) ::pause();
}

}  // namespace

int run_killed_writer(const demo_config& config, acked_batches& acked, pid_t& pid_out) {
  int fds[2];
  if (::pipe(fds) != 0) return fail(std::string("demo: pipe: ") + std::strerror(errno));
  std::cout.flush();
  const pid_t pid = ::fork();
  if (pid < 0) return fail(std::string("demo: fork: ") + std::strerror(errno));
  if (pid == 0) {
    ::close(fds[0]);
    child_writer(config, fds[1]);
  }
  pid_out = pid;
  ::close(fds[1]);
  std::string buffer;
  auto drain = [&](int timeout_ms) -> bool {  // false at EOF
    pollfd p{fds[0], POLLIN, 0};
    if (::poll(&p, 1, timeout_ms) <= 0) return true;
    char chunk[4096];
    ssize_t n = ::read(fds[0], chunk, sizeof chunk);
    if (n <= 0) return false;
    buffer.append(chunk, static_cast<std::size_t>(n));
    while (buffer.size() >= 24) {
      std::uint64_t msg[3];
      std::memcpy(msg, buffer.data(), 24);
      buffer.erase(0, 24);
      acked[msg[0]] = {msg[1], msg[2]};
    }
    return true;
  };
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(config.seconds / 1.5);
  bool open = true;
  while (open && (acked.empty() || std::chrono::steady_clock::now() < deadline)) {
    open = drain(50);
    if (acked.empty() && std::chrono::steady_clock::now() > deadline + 20s) break;
  }
  ::kill(pid, SIGKILL);  // mid-load: appends are in flight right now
  while (open) open = drain(1000);
  ::close(fds[0]);
  int wstatus = 0;
  ::waitpid(pid, &wstatus, 0);
  if (!(WIFSIGNALED(wstatus) && WTERMSIG(wstatus) == SIGKILL))
    return fail("demo: the writer process ended before it was killed (status " + std::to_string(wstatus) + ")");
  if (acked.empty()) return fail("demo: the writer process acknowledged nothing");
  return kExitOk;
}

}  // namespace raftvault::cli::demo
