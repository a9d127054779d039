// A byte-count model of etcd 3.4's PageWriter (pkg/ioutil/pagewriter.go), used only to decide
// segment cuts exactly where etcd would. raftvault writes each save straight to the file; etcd
// buffers records in 128 KiB and spills only whole 4 KiB pages until a sync, and its cut check
// compares the *spilled* file offset with the segment size. Emulating that lag is what makes
// segment boundaries byte-identical to etcd's (wal_options::etcd_cut_lag).
#pragma once

#include <cstdint>

namespace raftvault::raftlog {

class etcd_write_lag {
 public:
  // A new encoder on a file positioned at `file_offset` (etcd's newFileEncoder).
  void reset(std::uint64_t file_offset);
  // One PageWriter.Write of `bytes` (etcd writes a frame as two: length word, then record+pad).
  void write(std::uint64_t bytes);
  // PageWriter.Flush (every etcd sync).
  void flush();
  // The offset etcd's Save would see from Seek(0, SeekCurrent).
  std::uint64_t file_offset() const { return file_offset_; }

 private:
  std::uint64_t file_offset_ = 0;
  std::uint64_t page_offset_ = 0;  // pageOffset: where the buffer starts, modulo a page
  std::uint64_t buffered_ = 0;
};

}  // namespace raftvault::raftlog
