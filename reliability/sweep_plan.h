// Which damages the corruption sweep does to one store (reliability/README.md, "sweep"):
//   flips   every bit of the key file, of every .snap and of every WAL frame header (length
//           word, walpb.Record header, padding); a seeded sample of the other bytes (payloads,
//           the preallocated zero tail)
//   cuts    every truncation length of every file (earlier WAL segments: near every frame
//           boundary and at a stride; the zero tail of the last one: near 8-byte boundaries)
//   sectors every 512-byte sector of every file zeroed
//   names   every file deleted; renamed out of sight; .wal/.snap renamed to a plausible wrong name
// The smoke form keeps every kind of damage but samples within each file.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "codec/error.h"
#include "reliability/campaign.h"
#include "reliability/sweep_mutation.h"

namespace raftvault::reliability {

// The cases of one file and one kind, in the order they run (truncations from the longest
// length down, so that undo is needed only once, after the last).
struct mutation_group {
  std::string file;
  mutation_kind kind = mutation_kind::flip_bit;
  std::vector<mutation> cases;
};

result<std::vector<mutation_group>> plan_sweep(const std::string& store_dir, run_mode mode,
                                               std::uint64_t seed);

}  // namespace raftvault::reliability
