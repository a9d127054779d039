// WAL segment names `%016x-%016x.wal` (sequence, first index) and the rules for choosing the
// segments a reader needs: the last one whose index <= the snapshot index, and every later
// one, with consecutive sequence numbers (etcd's searchIndex and isValidSeq).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "codec/error.h"
#include "raftlog/wal.h"

namespace raftvault::raftlog {

std::string format_segment_name(std::uint64_t sequence, std::uint64_t first_index);

// nullopt unless `name` is exactly 16 hex digits, '-', 16 hex digits, ".wal".
std::optional<segment_info> parse_segment_name(const std::string& name);

// The directory's segments sorted by name (size_bytes filled); other files are ignored.
result<std::vector<segment_info>> read_segments(const std::string& dir);

// Index of the last segment whose first index <= `index`, or nullopt.
std::optional<std::size_t> search_segment(const std::vector<segment_info>& segments,
                                          std::uint64_t index);

// errc::corruption naming the first segment after `from` whose sequence number does not follow
// its predecessor's (a missing or extra segment).
status check_sequence(const std::string& dir, const std::vector<segment_info>& segments,
                      std::size_t from);

// Segments needed to read from snapshot index `index`: errors are errc::not_found (no WAL, or
// no segment old enough) or errc::corruption (sequence gap), naming the directory and file.
result<std::vector<segment_info>> select_segments(const std::string& dir, std::uint64_t index);

}  // namespace raftvault::raftlog
