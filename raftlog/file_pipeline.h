// Prepares the next WAL segment off the hot path (etcd's filePipeline): a background thread
// creates `<dir>/N.tmp` (N = 0, 1 alternating, so the spare never has the name of the file
// just handed out), preallocates it to the segment size and waits until a cut takes it.
//
// Happy path: take() returns an already preallocated file at once and the thread starts on
// the next one. Failure: an allocation error is returned by the take() that wanted the file.
// Destruction stops the thread and unlinks the unused spare (etcd leaves no .tmp on close).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "codec/error.h"
#include "fileio/file.h"

namespace raftvault::raftlog {

class file_pipeline {
 public:
  file_pipeline(std::string dir, std::uint64_t segment_bytes);
  ~file_pipeline();
  file_pipeline(const file_pipeline&) = delete;
  file_pipeline& operator=(const file_pipeline&) = delete;

  // The next preallocated spare, opened read-write at offset 0 (waits if not ready yet).
  result<fileio::file> take();

 private:
  void run();
  result<fileio::file> allocate();

  const std::string dir_;
  const std::uint64_t segment_bytes_;
  std::uint64_t count_ = 0;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::optional<result<fileio::file>> ready_;
  bool stopping_ = false;
  std::thread worker_;
};

}  // namespace raftvault::raftlog
