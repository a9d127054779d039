// What `raftvault-bench recovery` measures: a restart of an encrypted store — open the keys,
// read and decrypt every entry (actors::open_store, what a service calls at start) — warm
// (right after writing, the page cache holding the segments) and cold (after dropping the
// page cache, which needs root), as MB/s of payload and as a fraction of one core's open rate
// times the workers that decrypt (the restart decrypts on the calling thread: one).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "bench/options.h"
#include "bench/report.h"
#include "bench/scratch_dir.h"
#include "codec/error.h"

namespace raftvault::bench {

struct recovery_measurement {
  std::uint64_t entries = 0;
  std::uint64_t payload_bytes = 0;
  std::uint64_t segments = 0;
  double write_seconds = 0;
  double warm_seconds = 0;
  std::optional<double> cold_seconds;  // nullopt: not measured (`cold_skipped` says why)
  std::string cold_skipped;
  double open_ceiling_mb_per_sec = 0;  // one core
  unsigned workers = 1;
};

result<recovery_measurement> measure_recovery(scratch_dir& scratch, const recovery_options& o);

// The report's fields (bench/README.md lists them).
void add_recovery(report& rep, const recovery_options& o, const recovery_measurement& m);

}  // namespace raftvault::bench
