// Input checks of the storage facade, run before anything is accepted: nothing of a refused
// request is written, and the error says exactly what is wrong with it.
#pragma once

#include <cstdint>
#include <vector>

#include "codec/error.h"
#include "codec/raft_types.h"

namespace raftvault::actors {

// What the storage has accepted so far (not necessarily durable yet).
struct accepted_position {
  std::uint64_t last_index = 0;
  std::uint64_t last_term = 0;
  std::uint64_t snapshot_index = 0;
  hard_state state;
};

// Contiguous indexes with non-decreasing terms, first index in (snapshot, last + 1], a hard
// state whose term and commit do not go back, and no record over the WAL's 10 MiB limit.
status validate_append(const accepted_position& at, const hard_state& state,
                       const std::vector<entry>& entries);

// A snapshot must be newer than the one in force.
status validate_snapshot(const accepted_position& at, const snapshot& snap);

// Advances `at` past an accepted append.
void accept_append(accepted_position& at, const hard_state& state,
                   const std::vector<entry>& entries);

}  // namespace raftvault::actors
