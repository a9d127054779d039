// What `raftvault demo` prints about its phases: the load's measurements, the recovery check,
// the key generations and the commands to try next.
#pragma once

#include <cstdint>
#include <string>

#include "actors/pipeline.h"
#include "tools/demo_phases.h"
#include "tools/demo_workload.h"

namespace raftvault::cli::demo {

// "0.40 ms" below 10 ms, "42 ms" above.
std::string ms(std::uint64_t us);

// "DEK generation 2 (held: 2), kek-version 2, rotation state {C}".
std::string generations(const actors::storage_status& s);

// Step 2's table: appends, throughput, latency, group commit, snapshots.
void print_load(const load_stats& stats, const actors::storage_status& status);

// How the acknowledged entries compare with what a reopen recovered.
struct recovery_tally {
  std::uint64_t checked = 0;      // found byte for byte in the log
  std::uint64_t in_snapshot = 0;  // at or below the recovered snapshot's index
  std::uint64_t lost = 0;
  std::uint64_t highest = 0;      // highest acknowledged index
  std::string first_loss;         // "index N", empty when nothing was lost
};

// Step 4's table.
void print_recovery(const actors::recovered_state& recovered, const recovery_tally& tally);

// The closing lines: key generations before and after, time taken, commands to try next.
void print_summary(const demo_config& config, const actors::storage_status& before,
                   const actors::storage_status& final_status, double seconds);

}  // namespace raftvault::cli::demo
