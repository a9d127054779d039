// A small tmpfs for the disk-fault campaign: real ENOSPC from a real file system, filled so
// that an operation runs out of space part-way. Mounting needs root (CAP_SYS_ADMIN); where the
// machine refuses, the campaign injects ENOSPC through the fault hook instead.
#pragma once

#include <cstdint>
#include <string>

#include "codec/error.h"

namespace raftvault::reliability {

class small_tmpfs {
 public:
  // Mounts a tmpfs of `bytes` at `dir` (created, 0700). errc::io naming the directory when the
  // machine does not allow it.
  static result<small_tmpfs> mount(const std::string& dir, std::uint64_t bytes);

  small_tmpfs(small_tmpfs&& other) noexcept;
  small_tmpfs& operator=(small_tmpfs&&) = delete;
  small_tmpfs(const small_tmpfs&) = delete;
  ~small_tmpfs();  // unmounted (lazily, should a file still be open)

  const std::string& path() const { return path_; }
  result<std::uint64_t> free_bytes() const;
  // Takes space with a filler file so that about `leave` bytes stay free.
  status fill_leaving(std::uint64_t leave);
  // Removes the filler: the space returns.
  status release_filler();

 private:
  explicit small_tmpfs(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

}  // namespace raftvault::reliability
