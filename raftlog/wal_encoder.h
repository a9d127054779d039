// Frames WAL records into one reusable buffer with the running CRC-32C chain (etcd's encoder).
// The writer issues the buffer with a single write(), so a save costs one system call; the
// buffer keeps its capacity between saves, so steady-state encoding allocates nothing.
//
// Entries are framed without an intermediate copy: the CRC covers the small marshalled prefix
// and then the caller's data in place, and the data is copied once, into the buffer.
// The buffer is block-aligned and may start with the bytes that precede the next record in
// its file block (clear(carried): the tail's partial block), so that an O_DIRECT writer can
// send [carried | records | zeros] from it without copying the records again
// (tail_writer::write(tail, encoder, offset)).
// The encoder also feeds etcd's page-writer model (wal_write_lag.h) with the exact sequence of
// writes etcd would issue, for cut decisions.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "codec/error.h"
#include "codec/raft_types.h"
#include "raftlog/wal_write_lag.h"

namespace raftvault::raftlog {

class wal_encoder {
 public:
  explicit wal_encoder(std::uint32_t crc = 0) : crc_(crc) {}

  std::uint32_t crc() const { return crc_; }

  // errc::invalid_argument when the entry's record could reach etcd's 10 MiB record limit
  // (codec::kMaxRecordBytes), which every reader refuses. Call before add_entry.
  static status check_entry(const entry& e);
  static status check_entry(const entry& e, std::size_t data_size);

  // Everything add_* changes, to undo a batch that fails half way (nothing of it written yet).
  struct mark {
    std::uint32_t crc;
    std::size_t size;
    etcd_write_lag lag;
  };
  mark position() const { return mark{crc_, size_, lag_}; }
  void rewind(const mark& m) {
    crc_ = m.crc;
    size_ = m.size;
    lag_ = m.lag;
  }

  void add_entry(const entry& e) { add_entry(e, e.data); }
  // An entry whose stored data is `data` instead of e.data (an entry-data hook's output).
  void add_entry(const entry& e, std::string_view data);
  // The same, with `data_crc` = crc32c_update(0, data) computed elsewhere (where the data was
  // made): chained on with codec::crc32c_combine instead of reading the data again.
  void add_entry(const entry& e, std::string_view data, std::uint32_t data_crc);
  void add_state(const hard_state& state);
  void add_metadata(std::string_view metadata);
  void add_snapshot(const snapshot_marker& marker);
  void add_crc();  // a crc record carrying the running CRC (starts every segment)

  // The framed records (without the carried bytes in front of them).
  std::string_view bytes() const { return {buffer_.get() + carried_, size_}; }
  std::size_t size() const { return size_; }
  // Drops the framed records; `carried` (at most a block) goes in front of the next ones.
  void clear(std::string_view carried = {});

  // The carried bytes followed by the records.
  std::string_view carried_and_bytes() const { return {buffer_.get(), carried_ + size_}; }
  std::size_t carried() const { return carried_; }
  // The block-aligned buffer start, with room for `length` bytes from it; the bytes past
  // carried_and_bytes() are the caller's to fill (a direct writer's zero padding).
  char* block_run(std::size_t length);

  etcd_write_lag& lag() { return lag_; }

 private:
  void add_frame(std::int64_t type, std::string_view data, bool has_data);
  // Frames an entry record once crc_ covers it (`prefix`: its marshalled fields before data).
  void frame_entry(const char* prefix, std::size_t prefix_bytes, std::string_view data);
  char* reserve(std::size_t bytes);  // room for `bytes` more records; returns the write position
  void grow_to(std::size_t bytes);   // capacity for `bytes` from the start, keeping the content

  std::uint32_t crc_;
  std::unique_ptr<char, void (*)(void*)> buffer_{nullptr, nullptr};  // kBufferAlignment
  std::size_t carried_ = 0;  // bytes in front of the records
  std::size_t size_ = 0;     // bytes of records
  std::size_t capacity_ = 0;
  etcd_write_lag lag_;
};

}  // namespace raftvault::raftlog
