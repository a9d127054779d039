// Reads one WAL segment through a bounded window, so a decoder's memory stays near the
// largest frame (10 MiB) plus one chunk whatever the file's size, and never-written holes of
// a preallocated or sparse segment are skipped without being read.
#pragma once

#include <cstdint>
#include <string>

#include "codec/error.h"
#include "fileio/file.h"

namespace raftvault::raftlog {

class segment_window {
 public:
  status open(const std::string& path);
  const std::string& path() const { return file_.path(); }
  std::uint64_t size() const { return size_; }

  // [offset, offset + n) of the file, n <= size() - offset. The pointer stays valid until the
  // next call of view() or first_nonzero().
  result<const char*> view(std::uint64_t offset, std::size_t n);

  // The offset of the first non-zero byte in [offset, size()), or size() when there is none.
  result<std::uint64_t> first_nonzero(std::uint64_t offset);

 private:
  status fill(std::uint64_t offset, std::size_t n);

  fileio::file file_;
  std::uint64_t size_ = 0;
  std::uint64_t base_ = 0;  // file offset of buffer_[0]
  std::string buffer_;
};

}  // namespace raftvault::raftlog
