#include "raftlog/segment_remover.h"

#include <cerrno>
#include <iterator>

#include "fileio/file.h"

namespace raftvault::raftlog {

status segment_remover::remove(std::vector<std::string> paths) {
  pending_.insert(pending_.end(), std::make_move_iterator(paths.begin()),
                  std::make_move_iterator(paths.end()));
  if (pending_.empty()) return {};
  const std::string dir = pending_.front().substr(0, pending_.front().rfind('/'));
  status outcome;
  std::size_t done = 0;
  for (; done < pending_.size(); ++done) {
    auto removed = fileio::unlink(pending_[done]);
    if (!removed && removed.error().sys_errno() != ENOENT) {
      outcome = std::move(removed);
      break;
    }
  }
  // Deleted files stay pending until a directory fsync makes their deletion durable: a retry
  // finds them gone (ENOENT) and fsyncs again.
  if (done > 0) {
    RV_TRY(fileio::fsync_dir(dir));
    pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(done));
  }
  return outcome;
}

}  // namespace raftvault::raftlog
