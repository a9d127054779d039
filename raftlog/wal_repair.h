// Torn-tail repair of the LAST segment (etcd's Repair + ZeroToEnd): keep a `.broken` copy of
// the whole file, truncate at the end of the last valid frame, re-extend to the old size so the
// rest reads as zeros (the clean end), fsync the file and the directory. Only ever called for
// a decoder outcome of torn_tail on the last segment; corruption is never repaired.
#pragma once

#include <cstdint>
#include <string>

#include "codec/error.h"

namespace raftvault::raftlog {

status repair_torn_tail(const std::string& dir, const std::string& segment_path,
                        std::uint64_t last_valid_offset);

// Zeroes [offset, end of file) keeping the size (the part after a clean end that holds bytes
// of an unsynced write). No .broken copy: nothing valid is dropped.
status zero_to_end(const std::string& segment_path, std::uint64_t offset);

}  // namespace raftvault::raftlog
