// Where a benchmark run writes: a fresh directory under /var/tmp (a real disk, not tmpfs),
// or the directory the user named. On destruction it removes exactly what the run created —
// the temp directory, the named directory if the run created it, or the paths registered
// with remove_at_end() — unless keep() was called. Pre-existing data is never removed.
#pragma once

#include <string>
#include <vector>

#include "codec/error.h"

namespace raftvault::bench {

class scratch_dir {
 public:
  // `requested` empty: mkdtemp /var/tmp/raftvault-bench-XXXXXX. Otherwise created (0700) if
  // missing.
  static result<scratch_dir> open(const std::string& requested);

  scratch_dir(scratch_dir&& other) noexcept;
  scratch_dir& operator=(scratch_dir&&) = delete;
  scratch_dir(const scratch_dir&) = delete;
  ~scratch_dir();

  const std::string& path() const { return path_; }
  void remove_at_end(const std::string& created_path) { owned_.push_back(created_path); }
  void keep() { keep_ = true; }

 private:
  scratch_dir(std::string path, std::vector<std::string> owned)
      : path_(std::move(path)), owned_(std::move(owned)) {}

  std::string path_;
  std::vector<std::string> owned_;
  bool keep_ = false;
};

}  // namespace raftvault::bench
