// The phases of `raftvault demo` (cmd_demo.cpp runs them in this order on a fresh directory).
// Each prints its own numbered step and returns a process exit code: kExitOk, or what fail()
// returned after printing the one-line reason.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string>

#include "actors/pipeline.h"

namespace raftvault::cli::demo {

struct demo_config {
  std::string dir;
  std::string key_file;  // the unlock key, rewritten when it rotates
  double seconds = 3;
  std::size_t producers = 8;
};

// The pipeline every phase opens the store with: locked, small segments, two snapshots kept.
actors::pipeline_options options_for(const demo_config& config);

// Steps 1-2 (demo_load_phase.cpp): create the locked store, run the consensus load in this
// process, rotate the DEK and then the unlock key under it, print what the load measured.
int run_first_phase(const demo_config& config, actors::storage_status& before, actors::storage_status& after,
                    std::uint64_t& last_index);

// What the writer process reported as durable: first index -> {last index, term}.
struct acked_batch {
  std::uint64_t last;
  std::uint64_t term;
};
using acked_batches = std::map<std::uint64_t, acked_batch>;

// Step 3 (demo_killed_writer.cpp): fork a writer that reopens the store and runs the load,
// collect its acknowledgements for seconds / 1.5, SIGKILL it mid-load.
int run_killed_writer(const demo_config& config, acked_batches& acked, pid_t& pid_out);

// Step 4 (demo_recovery.cpp): reopen and check every acknowledged entry byte for byte; a lost
// one fails the demo.
int check_recovery(const demo_config& config, const acked_batches& acked, actors::storage_status& final_status);

}  // namespace raftvault::cli::demo
