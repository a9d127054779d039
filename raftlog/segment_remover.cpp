#include "raftlog/segment_remover.h"

#include <fcntl.h>

#include <cerrno>
#include <chrono>
#include <iterator>
#include <thread>

#include "fileio/file.h"
#include "raftlog/wal_format.h"

namespace raftvault::raftlog {
namespace {

bool is_gone(const error& e) { return e.sys_errno() == ENOENT; }
bool is_gone(const status& s) { return !s && is_gone(s.error()); }

}  // namespace

status segment_remover::give_back(const std::string& path) {
  {
    auto f = fileio::file::open(path, O_RDWR);
    if (!f) return is_gone(f.error()) ? status{} : status(f.error());
    RV_ASSIGN(auto size, f->size());
    const auto pause = std::chrono::nanoseconds(
        bytes_per_sec_ == 0 ? 0 : kStepBytes * 1'000'000'000ull / bytes_per_sec_);
    while (size > kStepBytes) {
      size -= kStepBytes;
      RV_TRY(f->truncate(size));
      if (pause.count() > 0) std::this_thread::sleep_for(pause);
    }
    RV_TRY(f->close());
  }
  auto removed = fileio::unlink(path);
  return is_gone(removed) ? status{} : removed;
}

status segment_remover::remove(std::vector<std::string> paths) {
  pending_.insert(pending_.end(), std::make_move_iterator(paths.begin()),
                  std::make_move_iterator(paths.end()));
  if (pending_.empty()) return {};
  const std::string dir = pending_.front().substr(0, pending_.front().rfind('/'));

  // Out of the log first, oldest first: the *.wal files left always chain without a hole.
  status outcome;
  std::size_t moved = 0;
  for (; moved < pending_.size(); ++moved) {
    const std::string& path = pending_[moved];
    auto renamed = fileio::rename(path, path + kDeletingSuffix);
    if (!renamed && !(is_gone(renamed) && !fileio::exists(path))) {  // gone: an earlier try
      outcome = std::move(renamed);
      break;
    }
  }
  if (moved == 0) return outcome;
  // Durable before any byte is given back: a crash must not leave a shrunken X.wal.
  RV_TRY(fileio::fsync_dir(dir));

  std::size_t done = 0;
  for (; done < moved; ++done) {
    if (auto given = give_back(pending_[done] + kDeletingSuffix); !given) {
      if (outcome) outcome = std::move(given);
      break;
    }
  }
  if (done > 0) {
    RV_TRY(fileio::fsync_dir(dir));
    pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(done));
  }
  return outcome;
}

}  // namespace raftvault::raftlog
