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

std::chrono::nanoseconds segment_remover::pause() const {
  return std::chrono::nanoseconds(
      bytes_per_sec_ == 0 ? 0 : kStepBytes * 1'000'000'000ull / bytes_per_sec_);
}

status segment_remover::take_out(std::vector<std::string> paths) {
  pending_.insert(pending_.end(), std::make_move_iterator(paths.begin()),
                  std::make_move_iterator(paths.end()));
  if (renamed_ == pending_.size()) return {};
  const std::string dir = pending_.front().substr(0, pending_.front().rfind('/'));

  // Out of the log first, oldest first: the *.wal files left always chain without a hole.
  status outcome;
  std::size_t moved = renamed_;
  for (; moved < pending_.size(); ++moved) {
    const std::string& path = pending_[moved];
    auto renamed = fileio::rename(path, path + kDeletingSuffix);
    if (!renamed && !(is_gone(renamed) && !fileio::exists(path))) {  // gone: an earlier try
      outcome = std::move(renamed);
      break;
    }
  }
  if (moved == renamed_) return outcome;
  // Durable before any byte is given back: a crash must not leave a shrunken X.wal.
  RV_TRY(fileio::fsync_dir(dir));
  renamed_ = moved;
  return outcome;
}

status segment_remover::give_back_step() {
  if (renamed_ == 0) return {};
  const std::string path = pending_.front() + kDeletingSuffix;
  {
    auto f = fileio::file::open(path, O_RDWR);
    if (!f && !is_gone(f.error())) return f.error();
    if (f) {
      RV_ASSIGN(auto size, f->size());
      if (size > kStepBytes) return f->truncate(size - kStepBytes);
      RV_TRY(f->close());
      auto removed = fileio::unlink(path);
      if (!removed && !is_gone(removed)) return removed;
    }
  }
  RV_TRY(fileio::fsync_dir(path.substr(0, path.rfind('/'))));
  pending_.erase(pending_.begin());
  --renamed_;
  return {};
}

status segment_remover::remove(std::vector<std::string> paths) {
  status outcome = take_out(std::move(paths));
  while (giving_back()) {
    if (auto step = give_back_step(); !step) return outcome ? step : outcome;
    if (giving_back() && pause().count() > 0) std::this_thread::sleep_for(pause());
  }
  return outcome;
}

}  // namespace raftvault::raftlog
