#include "raftlog/wal_write_lag.h"

#include "raftlog/wal_format.h"

namespace raftvault::raftlog {

void etcd_write_lag::reset(std::uint64_t file_offset) {
  file_offset_ = file_offset;
  page_offset_ = file_offset % kEtcdPageBytes;
  buffered_ = 0;
}

void etcd_write_lag::flush() {
  file_offset_ += buffered_;
  page_offset_ = (page_offset_ + buffered_) % kEtcdPageBytes;
  buffered_ = 0;
}

void etcd_write_lag::write(std::uint64_t bytes) {
  for (;;) {
    if (bytes + buffered_ <= kEtcdBufferBytes) {
      buffered_ += bytes;
      return;
    }
    // Fill the partly used page in the buffer first, so that spills stay page-aligned.
    std::uint64_t slack = kEtcdPageBytes - (page_offset_ + buffered_) % kEtcdPageBytes;
    if (slack != kEtcdPageBytes) {
      if (slack > bytes) {
        buffered_ += bytes;
        return;
      }
      buffered_ += slack;
      bytes -= slack;
    }
    flush();
    // Whole pages bypass the buffer; the page offset is unchanged modulo a page.
    if (bytes > kEtcdPageBytes) {
      const std::uint64_t direct = bytes / kEtcdPageBytes * kEtcdPageBytes;
      file_offset_ += direct;
      bytes -= direct;
    }
  }
}

}  // namespace raftvault::raftlog
