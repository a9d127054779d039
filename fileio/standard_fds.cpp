#include "fileio/standard_fds.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

namespace raftvault::fileio {
namespace {

standard_fds_state found_at_start;

bool is_closed(int fd) { return ::fcntl(fd, F_GETFD) < 0 && errno == EBADF; }

// Opens `device` as `fd`; the lower standard fds are open by now, so open() returns `fd` itself.
status open_as(int fd, const char* device, int flags) {
  const int opened = ::open(device, flags);
  if (opened < 0) return io_error("open", device, errno);
  if (opened != fd) {
    const int moved = ::dup2(opened, fd);
    const int saved = errno;
    ::close(opened);
    if (moved < 0) return io_error("dup2", device, saved);
  }
  return {};
}

}  // namespace

result<standard_fds_state> protect_standard_fds() {
  standard_fds_state state;
  if (is_closed(STDIN_FILENO)) {
    state.stdin_closed = true;
    RV_TRY(open_as(STDIN_FILENO, "/dev/null", O_RDONLY));
  }
  if (is_closed(STDOUT_FILENO)) {
    state.stdout_closed = true;
    if (!open_as(STDOUT_FILENO, "/dev/full", O_WRONLY)) RV_TRY(open_as(STDOUT_FILENO, "/dev/null", O_WRONLY));
  }
  if (is_closed(STDERR_FILENO)) {
    state.stderr_closed = true;
    RV_TRY(open_as(STDERR_FILENO, "/dev/null", O_WRONLY));
  }
  found_at_start = state;
  return state;
}

const standard_fds_state& standard_fds_at_start() { return found_at_start; }

}  // namespace raftvault::fileio
