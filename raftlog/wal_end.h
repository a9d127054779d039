// The WAL's recorded end (`raftvault.end` in the WAL directory): where a clean close left the
// log, so that damage which shortens a closed log is told apart from a log that ended there.
//
// etcd's format cannot tell them apart: a truncation of the last segment at a frame boundary,
// a deleted last segment, or a damaged final frame followed by zeros all read as a log that
// ended earlier (or as a torn write). After a clean close nothing was being written, so no
// torn write is possible; close() records the end (segment, offset, running CRC, last index)
// durably, and every reader refuses a log that ends before it. open() for writing removes the
// record durably before anything can change the log, so a crash afterwards is judged by the
// torn-tail rule alone (docs/wal-format.md, "Recorded end").
//
// The file is 56 bytes with its own CRC-32C; etcd ignores it (it reads only *.wal names).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "codec/error.h"
#include "raftlog/wal.h"

namespace raftvault::raftlog {

struct wal_end {
  std::uint64_t segment_sequence = 0;  // the last segment at close: its name's two numbers
  std::uint64_t segment_first_index = 0;
  std::uint64_t offset = 0;            // end of its last record
  std::uint32_t crc = 0;               // the running CRC there
  // The index of the last entry record in that segment (0: none). etcd's CRC covers a
  // record's data but not its type, so a flipped type bit can turn the final entry into a
  // hard state (or the reverse) with every CRC intact; this catches it at the end.
  std::uint64_t last_entry = 0;
};

std::string wal_end_path(const std::string& dir);

// Durably replaces the record (temp file, fsync, rename, directory fsync).
status write_wal_end(const std::string& dir, const wal_end& end);

// The record, none when the file does not exist (a WAL that is open, crashed, or was written by
// etcd); errc::corruption naming the file when it is damaged.
result<std::optional<wal_end>> read_wal_end(const std::string& dir);

// Removes the record and fsyncs the directory (nothing to do when it is absent).
status remove_wal_end(const std::string& dir);

// "the WAL was closed cleanly at SEGMENT at byte offset N (recorded in FILE)".
std::string closed_end_text(const std::string& dir, const wal_end& end);

// Where a replay ended: the last segment, its clean end, the running CRC there, and the index of
// the last entry record in that segment (0: none).
struct replayed_end {
  segment_info last;
  std::uint64_t offset = 0;
  std::uint32_t crc = 0;
  std::uint64_t last_entry = 0;
};

// Refuses a log that ends before the recorded end, or ends there with another CRC or another
// last entry. A log that goes on past it is accepted: only a writer that does not know the
// record (etcd) appends without removing it.
status check_reaches_end(const std::string& dir, const wal_end& end, const replayed_end& found);

}  // namespace raftvault::raftlog
