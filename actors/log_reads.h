// What the storage actor answers for raft's reads (etcd Storage's FirstIndex, LastIndex,
// Term, Entries), from the WAL's entry index (the durable entries) and the accepted position
// (the snapshot in force and the term of every accepted index).
//
// Bounds follow etcd: entries [first, last] are readable; last is the last durable index, or
// the snapshot index when the snapshot is beyond every durable entry (then first = snapshot
// index + 1, as after an installed snapshot). Entries at or below the snapshot stay readable
// until a release drops their segment (raft_io's trailing entries).
#pragma once

#include <cstdint>

#include "actors/append_validation.h"
#include "codec/error_types.h"
#include "raftlog/entry_index.h"

namespace raftvault::actors {

struct log_bounds {
  std::uint64_t first = 0;
  std::uint64_t last = 0;  // first - 1 when no entry is readable
};

log_bounds durable_bounds(const raftlog::entry_index& index, const accepted_position& at);

// The locations to read for entries(lo, hi, max_bytes): [lo, hi) cut after the first entry
// whose frame would take the stored bytes past max_bytes (etcd's limitSize: at least one
// entry when lo < hi). errc::compacted when lo < first, errc::unavailable when hi - 1 > last,
// errc::invalid_argument when hi < lo; each message names the indexes.
result<raftlog::located_entries> locate_reads(const raftlog::entry_index& index,
                                              const accepted_position& at, std::uint64_t lo,
                                              std::uint64_t hi, std::uint64_t max_bytes);

// The term of `index`: a durable entry's, or the snapshot's at its index (0 for index 0 of an
// empty log). errc::compacted below that, errc::unavailable beyond the last durable index.
result<std::uint64_t> term_at(const raftlog::entry_index& index, const accepted_position& at,
                              std::uint64_t i);

}  // namespace raftvault::actors
