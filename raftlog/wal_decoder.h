// Walks the frames of consecutive WAL segment files (etcd's decoder). Every call to next()
// ends in exactly one typed outcome, so the three ways a log can end never blur:
//   record      a valid frame (CRC chain checked; crc records validated and re-seeded)
//   clean_end   a zero length word or end of file in the last segment (preallocated space)
//   torn_tail   a partial last write in the LAST segment: the damaged frame runs past the end
//               of the file, or a sector-aligned chunk of it is all zeros (etcd's isTornEntry)
//   corruption  anything else: CRC mismatch, malformed frame, a frame too large, or damage in
//               a segment that is not the last. error() names the file and byte offset.
//   io_error    reading a file failed (error()).
// A zero length word ends a non-last segment too; the walk continues with the next file.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "codec/error.h"
#include "codec/wal_record.h"

namespace raftvault::raftlog {

enum class decode_status { record, clean_end, torn_tail, corruption, io_error };

struct decoded_record {
  codec::wal_record record;  // data points into the decoder's buffer until the next call
  std::size_t file = 0;      // index into the paths given to the decoder
  std::uint64_t offset = 0;  // where the frame starts in that file
};

class wal_decoder {
 public:
  explicit wal_decoder(std::vector<std::string> paths) : paths_(std::move(paths)) {}

  decode_status next(decoded_record& out);

  // After torn_tail/corruption/io_error: what went wrong, naming file and offset.
  const error& failure() const { return failure_; }
  // The file being read and the end of its last valid frame (the repair truncation point after
  // torn_tail; the append position after clean_end).
  std::size_t file() const { return file_; }
  const std::string& path() const { return paths_[file_]; }
  std::uint64_t last_valid_offset() const { return valid_end_; }
  std::uint32_t crc() const { return crc_; }
  // After clean_end: true when non-zero bytes follow the end (a torn write after a zero word,
  // which the writer must zero before appending, as etcd's ZeroToEnd does).
  bool garbage_after_end() const;
  std::uint64_t file_size() const { return bytes_.size(); }

 private:
  decode_status fail(decode_status kind, std::uint64_t offset, const std::string& what);
  bool load(std::size_t file);
  bool is_last() const { return file_ + 1 == paths_.size(); }
  bool has_zero_sector(std::uint64_t offset, std::uint64_t size) const;

  std::vector<std::string> paths_;
  std::size_t file_ = 0;
  bool loaded_ = false;
  std::string bytes_;
  std::uint64_t valid_end_ = 0;
  std::uint32_t crc_ = 0;
  error failure_{errc::corruption, {}};
};

}  // namespace raftvault::raftlog
