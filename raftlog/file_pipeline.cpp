#include "raftlog/file_pipeline.h"

#include <fcntl.h>

namespace raftvault::raftlog {

file_pipeline::file_pipeline(std::string dir, std::uint64_t segment_bytes)
    : dir_(std::move(dir)), segment_bytes_(segment_bytes), worker_([this] { run(); }) {}

file_pipeline::~file_pipeline() {
  {
    std::lock_guard<std::mutex> guard(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  worker_.join();
  if (ready_ && ready_->has_value()) {
    const std::string path = ready_->value().path();
    (void)ready_->value().close();
    (void)fileio::unlink(path);
  }
}

result<fileio::file> file_pipeline::allocate() {
  const std::string path = dir_ + "/" + std::to_string(count_ % 2) + ".tmp";
  // O_TRUNC: a spare left by a crash may hold old bytes; a new segment must read as zeros.
  RV_ASSIGN(auto f, fileio::file::open(path, O_RDWR | O_CREAT | O_TRUNC));
  RV_TRY(f.preallocate(0, segment_bytes_));
  ++count_;
  return f;
}

void file_pipeline::run() {
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mutex_);
      changed_.wait(lock, [this] { return stopping_ || !ready_; });
      if (stopping_) return;
    }
    auto next = allocate();
    const bool failed = !next.has_value();
    {
      std::lock_guard<std::mutex> guard(mutex_);
      ready_.emplace(std::move(next));
    }
    changed_.notify_all();
    if (failed) return;  // the error waits in ready_ for take()
  }
}

result<fileio::file> file_pipeline::take() {
  std::unique_lock<std::mutex> lock(mutex_);
  changed_.wait(lock, [this] { return ready_.has_value(); });
  // A failed allocation stays in ready_ (the worker has stopped): every take() reports it.
  if (!ready_->has_value()) return ready_->error();
  auto taken = std::move(*ready_);
  ready_.reset();
  lock.unlock();
  changed_.notify_all();
  return taken;
}

}  // namespace raftvault::raftlog
