// The bytes and the name of one etcd `.snap` file (docs/wal-format.md §snapshots), without I/O.
// A file is a marshalled snappb.Snapshot{crc = crc32c(data) (seed 0, not chained), data =
// marshalled raftpb.Snapshot}; its name is `%016x-%016x.snap` of term, then index.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "codec/error.h"
#include "codec/raft_types.h"

namespace raftvault::raftlog {

inline constexpr std::string_view kSnapSuffix = ".snap";
inline constexpr std::string_view kSnapTempSuffix = ".tmp";       // <name>.snap.tmp
inline constexpr std::string_view kSnapBrokenSuffix = ".broken";  // <name>.snap.broken

// `%016x-%016x.snap` of term, then index.
std::string snap_file_name(const snapshot_marker& marker);

// {index, term} from a name in exactly that form; nullopt for anything else (temp files,
// .broken files, foreign names).
std::optional<snapshot_marker> parse_snap_file_name(std::string_view name);

// The file's bytes, identical to etcd 3.4's SaveSnap output for the same snapshot.
std::string encode_snap_file(const snapshot& snap);

// Checks and decodes a file's bytes. `path` only names the file in errors. Every failure is
// errc::corruption: an empty file or a zero crc / empty data (etcd's ErrEmptySnapshot), bytes
// that do not parse, a CRC mismatch, or a raftpb.Snapshot that does not decode.
result<snapshot> decode_snap_file(std::string_view bytes, const std::string& path);

}  // namespace raftvault::raftlog
