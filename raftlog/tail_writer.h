// Writes the WAL's tail segment, through O_DIRECT when wal_options::direct_io asks for it.
//
// Why direct I/O: every WAL write is followed by an fdatasync, so the page cache buys nothing
// on the way to the disk; it only costs a copy and a fresh page per 4 KiB written, which on a
// VM that hands freed memory back to the host (free page reporting) is a host fault each. The
// bytes on disk are the same either way: etcd reads the segments unchanged.
//
// How: O_DIRECT needs block-aligned file offsets, lengths and memory. The writer keeps the
// last partial block of the file in an aligned staging buffer, and each write sends
// [partial block | new bytes | zeros to the next block boundary] in one pwrite. The zeros
// land where the preallocated segment already reads as zeros (etcd's end of records), and
// the next write rewrites that block with more records in it: the page cache rewrites a
// partial tail page the same way, so a torn write risks nothing a buffered WAL does not.
//
// Zeros ahead: a write smaller than kZeroAhead that reaches blocks not written yet also writes
// zeros up to the next kZeroAhead boundary (never past the file's size). A write into
// preallocated, never-written blocks makes the fdatasync after it record the extent change
// too, which makes it slower; with the zeros ahead, the next small writes only overwrite and
// their fdatasync only flushes. Larger writes get none: they convert little for their size.
// Zeros ahead while idle: zero_ahead() writes them with no record, for a caller that knows the
// disk would sit idle anyway (the WAL writer between whole groups), so that the small writes
// after it find their zeros written and pad nothing (a group that writes its own zeros ahead
// is among the slowest).
//
// In place: write(tail, encoder, offset) sends the records straight from the encoder's buffer
// when it starts with this writer's partial block (wal_encoder::clear(carried())), padding it
// there; the records are then copied once (into the encoder) instead of twice. Otherwise, and
// in buffered mode, it writes encoder.bytes() as write(tail, bytes, offset) does.
//
// Fallback: a file system that refuses O_DIRECT (EINVAL at open or at the first write) is
// written through the page cache, as without the option; direct() tells which one runs.
// fdatasync stays the WAL's job (on its own descriptor): it makes the written blocks durable
// (device cache flush) and the extent conversion of the preallocated space.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "codec/error.h"
#include "fileio/file.h"
#include "raftlog/wal_encoder.h"

namespace raftvault::raftlog {

class tail_writer {
 public:
  // 4096 satisfies devices with 512- and 4096-byte logical blocks.
  static constexpr std::size_t kBlock = 4096;
  // A direct write smaller than this also writes zeros up to the next multiple of it.
  static constexpr std::size_t kZeroAhead = 256 << 10;

  explicit tail_writer(bool direct = false) : wanted_(direct) {}

  // Targets `tail` (the WAL's descriptor of the tail segment), whose records end at `end`:
  // opens its own O_DIRECT descriptor and reads the partial last block from `tail`.
  status attach(const fileio::file& tail, std::uint64_t end);
  // The tail was renamed (same file, same contents): reopen under `path` for error messages.
  status renamed(const std::string& path);

  // Writes `bytes` at `offset`, which must be where the records end (the WAL only appends).
  status write(fileio::file& tail, std::string_view bytes, std::uint64_t offset);
  // Writes encoder.bytes() at `offset`, in place when the encoder carries the partial block
  // (then its buffer past the records is overwritten with padding).
  status write(fileio::file& tail, wal_encoder& encoder, std::uint64_t offset);
  // Direct mode: the bytes of the partial last block, to hand to wal_encoder::clear; empty
  // when buffered.
  std::string_view carried() const;

  // Direct mode: writes zeros over the next `bytes` (rounded up to blocks) of the space past
  // everything written so far, never past the file's size -> the bytes written (0 when
  // buffered or at the end). The file's contents do not change (preallocated space reads as
  // zeros), so no fdatasync is needed for them; the next one records the extent change.
  result<std::uint64_t> zero_ahead(std::uint64_t bytes);
  // Bytes past the records that are written already (zeros ahead): a write of fewer bytes
  // only overwrites. Always 0 when buffered.
  std::uint64_t zeroed_ahead() const;

  bool direct() const { return direct_.is_open(); }
  std::uint64_t in_place_writes() const { return in_place_writes_; }  // for tests

 private:
  status open_direct(const std::string& path);
  status write_direct(std::string_view bytes);
  status write_in_place(wal_encoder& encoder);
  // Bytes to write from the start of the partial block for `bytes` new ones (zeros ahead).
  std::size_t padded_length(std::size_t bytes) const;
  // After `used` bytes from the block start went out from `run`: advance, keep the partial block.
  void written(const char* run, std::size_t used, std::size_t padded);
  void fall_back();
  void reserve(std::size_t bytes);  // staging capacity, keeping the partial block

  bool wanted_;
  fileio::file direct_;  // O_DIRECT descriptor of the tail; closed in buffered mode
  std::uint64_t end_ = 0;  // file offset just past the last byte written
  std::uint64_t written_end_ = 0;  // blocks below it were written by us (data or zeros)
  std::uint64_t size_ = 0;         // the file's size: zeros ahead never extend it
  // Aligned: staging_[0, end_ % kBlock) holds the bytes of the partial last block.
  std::unique_ptr<char, void (*)(void*)> staging_{nullptr, nullptr};
  std::size_t capacity_ = 0;
  std::unique_ptr<char, void (*)(void*)> zeros_{nullptr, nullptr};  // aligned, for zero_ahead
  std::size_t zeros_capacity_ = 0;
  std::uint64_t in_place_writes_ = 0;
};

}  // namespace raftvault::raftlog
