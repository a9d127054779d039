// Walks the frames of consecutive WAL segment files (etcd's decoder). Every call to next()
// ends in exactly one typed outcome, so the three ways a log can end never blur:
//   record      a valid frame (CRC chain checked; crc records validated and re-seeded)
//   clean_end   a zero length word or end of file in the last segment (preallocated space)
//   torn_tail   a partial last write in the LAST segment, and only one consistent with an
//               interrupted write (docs/wal-format.md, "Torn tails"): the damaged frame runs
//               past the end of the file or has a sector-aligned chunk of zeros (etcd's
//               isTornEntry), AND no well-formed frame starts anywhere after it in the
//               segment, AND (when the frame fits in the file) only zeros follow its end
//   corruption  anything else: CRC mismatch, malformed frame, a frame too large, damage in a
//               segment that is not the last, or a "torn" frame or zero length word that
//               well-formed frames follow (a flipped length word or a zeroed sector would
//               otherwise drop every record after it). error() names the file and offset.
//   io_error    reading a file failed (error()).
// A zero length word ends a non-last segment too; the walk continues with the next file.
// Segments are read through a bounded window (raftlog/segment_window.h): memory does not grow
// with the file's size, and unwritten holes are skipped.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "codec/error.h"
#include "codec/wal_record.h"
#include "raftlog/segment_window.h"

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
  // After clean_end: true when non-zero bytes that are not frames follow the end (remnants of
  // an interrupted write, which the writer zeroes before appending, as etcd's ZeroToEnd does).
  bool garbage_after_end() const { return garbage_after_end_; }
  std::uint64_t file_size() const { return window_.size(); }

 private:
  decode_status fail(decode_status kind, std::uint64_t offset, const std::string& what);
  // Damage at `offset` of the last segment: torn_tail when it can be an interrupted write,
  // corruption otherwise. `frame_end` is where the damaged frame ends, 0 when unknown or past
  // the end of the file.
  decode_status torn_or_corrupt(std::uint64_t offset, std::uint64_t frame_end,
                                const std::string& what);
  decode_status end_of_last_segment(std::uint64_t offset);
  // The first offset after `offset` (8-byte aligned) where a well-formed frame starts, or
  // the file's size when none does.
  result<std::uint64_t> next_well_formed_frame(std::uint64_t offset);
  bool well_formed_frame_at(std::uint64_t offset);
  bool load(std::size_t file);
  bool is_last() const { return file_ + 1 == paths_.size(); }

  std::vector<std::string> paths_;
  std::size_t file_ = 0;
  bool loaded_ = false;
  segment_window window_;
  std::uint64_t valid_end_ = 0;
  std::uint32_t crc_ = 0;
  bool garbage_after_end_ = false;
  error failure_{errc::corruption, {}};
};

}  // namespace raftvault::raftlog
