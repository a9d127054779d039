// Input checks of the storage facade, run before anything is accepted: nothing of a refused
// request is written, and the error says exactly what is wrong with it.
#pragma once

#include <cstdint>
#include <vector>

#include "codec/error.h"
#include "codec/raft_types.h"
#include "raftlog/encrypted_log.h"
#include "raftlog/term_runs.h"

namespace raftvault::actors {

// What the storage has accepted so far (not necessarily durable yet).
struct accepted_position {
  std::uint64_t last_index = 0;
  std::uint64_t last_term = 0;
  std::uint64_t snapshot_index = 0;
  hard_state state;
  raftlog::term_runs terms;  // of the entries accepted, from the snapshot's index on
};

// Where a store opened with `recovered` stands.
accepted_position recovered_position(const raftlog::recovered_state& recovered);

// Contiguous indexes, first index in (snapshot, last + 1], no record over the WAL's 10 MiB
// limit, and raft's rules (raftlog/log_rules.h): terms never decrease along the log, nothing at
// or below the commit is overwritten, the hard state's term and commit never go back, its vote
// never changes within a term and its commit never passes the last index after the append.
status validate_append(const accepted_position& at, const hard_state& state,
                       const std::vector<entry>& entries);

// A snapshot must be newer than the one in force, carry the log's term at its index when the
// log holds it, and not raise the hard state's term (a snapshot never takes a node to a newer
// term: only a hard state does, with its vote).
status validate_snapshot(const accepted_position& at, const snapshot& snap);

// Advances `at` past a snapshot made durable: beyond the log it becomes the log's base.
void accept_snapshot(accepted_position& at, snapshot_marker marker);

// Advances `at` past an accepted append.
void accept_append(accepted_position& at, const hard_state& state,
                   const std::vector<entry>& entries);

}  // namespace raftvault::actors
