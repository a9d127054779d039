// The acknowledgement log of `raftvault-bench pipeline --ack-log FILE`: one decimal line per
// acknowledged append, the last index the storage reported durable. A kill -9 campaign compares
// it with what a restart recovers, so each line reaches the kernel before the producer sends its
// next append: one write(2) on an O_APPEND descriptor, no user-space buffer that a kill could
// lose. Concurrent producers may share one log: each line is one write, and O_APPEND writes to
// a regular file do not interleave. The file is not fsynced: it only has to survive the
// process, not the machine.
#pragma once

#include <cstdint>
#include <string>

#include "codec/error.h"

namespace raftvault::bench {

class ack_log {
 public:
  // Opens `path` for appending (created 0600 when missing; existing lines are kept, so runs on
  // one store can share a log).
  static result<ack_log> open(const std::string& path);

  ack_log(ack_log&& other) noexcept;
  ack_log& operator=(ack_log&&) = delete;
  ack_log(const ack_log&) = delete;
  ~ack_log();

  // Appends "<last_index>\n" with one write(2).
  status record(std::uint64_t last_index) const;
  const std::string& path() const { return path_; }

 private:
  ack_log(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  int fd_ = -1;
  std::string path_;
};

}  // namespace raftvault::bench
