// Offline DEK rotation = full re-encryption (the `rotate-dek` subcommand). With the store's
// locks held:
//   1. prepare: persist {C,P} (skipped when P already exists: an interrupted rotation resumes)
//   2. read what a restart reads with {C,P}; write a fresh WAL + snap sealed with P into
//      DATA_DIR/.rotate-dek/ (the migration copy protocol: temp dirs, fsync, rename)
//   3. swap the snap directory, then the WAL directory, each with one atomic exchange
//      (renameat2 RENAME_EXCHANGE) and a directory fsync
//   4. complete: persist {P} (C retired, after nothing on disk needs it)
//   5. delete DATA_DIR/.rotate-dek (the old directories)
// Why every crash leaves a store that opens: until step 4 the key file holds {C,P}, which
// opens both copies; the copy holds the same snapshot (same name) and entries as the original,
// so the mixed states between the two exchanges (old WAL + new snap, new WAL + old snap) read
// the same log. A rerun removes leftovers in .rotate-dek and redoes the copy with the same P.
// Crash points, in order: rotate_dek.prepared, rotate_dek.copy_written,
// rotate_dek.snap_swapped, rotate_dek.wal_swapped, rotate_dek.completed, rotate_dek.cleaned.
#pragma once

#include <cstdint>
#include <functional>

#include "tools/store_access.h"

namespace raftvault::cli {

struct offline_rotation_report {
  std::uint32_t old_generation = 0;
  std::uint32_t new_generation = 0;
  bool resumed = false;  // a pending P from an interrupted rotation was used
  std::uint64_t entries = 0;
  std::uint64_t snapshot_index = 0;  // 0: no snapshot
};

constexpr const char* kRotationWorkDir = ".rotate-dek";

result<offline_rotation_report> rotate_dek_offline(
    offline_store& store, const std::function<void(std::uint64_t, std::uint64_t)>& progress);

}  // namespace raftvault::cli
