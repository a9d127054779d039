#include "bench/scratch_dir.h"

#include <stdlib.h>

#include <cerrno>
#include <cstdio>
#include <utility>

#include "fileio/file.h"

namespace raftvault::bench {

result<scratch_dir> scratch_dir::open(const std::string& requested) {
  if (requested.empty()) {
    std::string pattern = "/var/tmp/raftvault-bench-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) return io_error("mkdtemp", pattern, errno);
    return scratch_dir(pattern, {pattern});
  }
  if (fileio::exists(requested)) return scratch_dir(requested, {});
  RV_TRY(fileio::make_dir(requested, fileio::kPrivateDirMode));
  return scratch_dir(requested, {requested});
}

scratch_dir::scratch_dir(scratch_dir&& other) noexcept
    : path_(std::move(other.path_)),
      owned_(std::exchange(other.owned_, {})),
      keep_(other.keep_) {}

scratch_dir::~scratch_dir() {
  if (keep_) return;
  // Newest first, so a registered path inside the directory goes before the directory.
  for (auto it = owned_.rbegin(); it != owned_.rend(); ++it) {
    if (auto removed = fileio::remove_all(*it); !removed)
      std::fprintf(stderr, "raftvault-bench: warning: %s\n", removed.error().describe().c_str());
  }
}

}  // namespace raftvault::bench
