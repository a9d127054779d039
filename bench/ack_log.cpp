#include "bench/ack_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

namespace raftvault::bench {

// Plain system calls, not the file layer: a fault injected into the store's writes
// (fileio/fault_injection.h) must not hit the log that records what the store acknowledged.
result<ack_log> ack_log::open(const std::string& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return io_error("open ack log", path, errno);
  return ack_log(fd, path);
}

ack_log::ack_log(ack_log&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), path_(std::move(other.path_)) {}

ack_log::~ack_log() {
  if (fd_ >= 0) ::close(fd_);
}

status ack_log::record(std::uint64_t last_index) const {
  const std::string line = std::to_string(last_index) + "\n";
  for (;;) {
    const auto written = ::write(fd_, line.data(), line.size());
    if (written == static_cast<ssize_t>(line.size())) return {};
    if (written < 0 && errno == EINTR) continue;
    // A short write would leave half a line that the next one completes wrongly.
    return io_error("write ack log", path_, written < 0 ? errno : EIO);
  }
}

}  // namespace raftvault::bench
