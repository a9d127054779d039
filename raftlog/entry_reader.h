// Reads entries back from a WAL's segments at the locations of its entry index
// (raftlog/entry_index.h), on any thread, while the WAL's own thread appends to the same files.
//
// Happy path: locate(lo, hi) on the index -> read(...) -> the stored entries, in index order,
// their data still sealed (open_entries() opens them with a payload codec). Frames are read
// with pread (no shared file position; adjacent frames in one call); written bytes of a
// segment never change, so no lock is needed against the writer.
//
// Failure modes (never garbage):
//   errc::not_found   a segment file is gone: released (deleted, or renamed out of the log by
//                     a segment_remover) after the locations were copied. Raft's "compacted".
//   errc::corruption  a frame whose length, record type, CRC (against the running CRC before
//                     it), index or term differs from the location: names file and offset.
//   errc::io          a read failed.
#pragma once

#include <string>
#include <vector>

#include "codec/error.h"
#include "codec/raft_types.h"
#include "raftlog/entry_index.h"
#include "raftlog/payload_codec.h"

namespace raftvault::raftlog {

class entry_reader {
 public:
  explicit entry_reader(std::string wal_dir) : dir_(std::move(wal_dir)) {}

  const std::string& dir() const { return dir_; }

  // The entries of [where.first_index, where.first_index + where.locations.size()).
  result<std::vector<entry>> read(const located_entries& where) const;
  // read(), then each payload opened with `codec` (cipher::none passes it through). A payload
  // no held key opens is an error naming the entry (wrong_key / missing_key).
  result<std::vector<entry>> read_open(const located_entries& where,
                                       const payload_codec& codec) const;

 private:
  std::string dir_;
};

}  // namespace raftvault::raftlog
