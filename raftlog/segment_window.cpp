#include "raftlog/segment_window.h"

#include <algorithm>
#include <fcntl.h>

namespace raftvault::raftlog {
namespace {

// Large enough that sequential decoding reads a segment in few system calls.
constexpr std::size_t kChunkBytes = 1u << 20;

}  // namespace

status segment_window::open(const std::string& path) {
  RV_ASSIGN(file_, fileio::file::open(path, O_RDONLY));
  RV_ASSIGN(size_, file_.size());
  base_ = 0;
  buffer_.clear();
  return {};
}

status segment_window::fill(std::uint64_t offset, std::size_t n) {
  const std::size_t want =
      static_cast<std::size_t>(std::min<std::uint64_t>(std::max(n, kChunkBytes), size_ - offset));
  buffer_.resize(want);
  buffer_.shrink_to_fit();  // one oversized frame must not pin its memory for the whole walk
  base_ = offset;
  auto read = file_.pread_exact(buffer_.data(), want, offset);
  if (!read) buffer_.clear();
  return read;
}

result<const char*> segment_window::view(std::uint64_t offset, std::size_t n) {
  if (offset > size_ || n > size_ - offset) {
    return error(errc::invalid_argument, file_.path() + ": read of " + std::to_string(n) +
                                             " bytes at offset " + std::to_string(offset) +
                                             " past the end of the file");
  }
  if (offset < base_ || offset + n > base_ + buffer_.size()) RV_TRY(fill(offset, n));
  return buffer_.data() + (offset - base_);
}

result<std::uint64_t> segment_window::first_nonzero(std::uint64_t offset) {
  while (offset < size_) {
    RV_ASSIGN(offset, file_.next_data(offset));
    if (offset >= size_) break;
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(kChunkBytes, size_ - offset));
    RV_ASSIGN(const char* bytes, view(offset, n));
    const char* hit = std::find_if(bytes, bytes + n, [](char c) { return c != 0; });
    if (hit != bytes + n) return offset + static_cast<std::uint64_t>(hit - bytes);
    offset += n;
  }
  return size_;
}

}  // namespace raftvault::raftlog
