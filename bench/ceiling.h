// What bounds every other bench, measured in the same run (`raftvault-bench ceiling`, and the
// first step of `all`): the disk's durable-write latency in each way of writing (raw_disk.h),
// its sequential write bandwidth, and one core's sealing, opening and CRC-32C rates. The CPU
// rates divide bytes by the measuring thread's own CPU time (CLOCK_THREAD_CPUTIME_ID), so a
// busy shared machine slows them less than wall time would; they are per core.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bench/options.h"
#include "bench/raw_disk.h"
#include "bench/report.h"
#include "bench/scratch_dir.h"
#include "codec/error.h"

namespace raftvault::bench {

struct ceiling_plan {
  std::uint64_t block = 4096;            // bytes per durable write
  std::uint64_t sequential_block = 1 << 20;
  std::uint64_t seal_size = 4096;        // bytes of Entry.Data per sealed entry
  double seconds_each = 0.5;             // per measurement
  bool disk = true;
  bool cpu = true;
};

struct durable_write_ceiling {
  raw_io io = raw_io::buffered;
  raw_disk_run run;
};

struct cipher_ceiling {
  cipher_choice cipher = cipher_choice::xchacha20poly1305;
  double seal_mb_per_sec = 0;  // one core
  double open_mb_per_sec = 0;  // one core
};

struct ceilings {
  ceiling_plan plan;
  std::vector<durable_write_ceiling> durable;  // the modes this file system takes
  std::vector<std::string> unsupported;        // "<mode>: <why>"
  std::optional<raw_disk_run> sequential;      // sequential_block writes + fdatasync each
  std::vector<cipher_ceiling> ciphers;
  double crc32c_mb_per_sec = 0;                // one core
  unsigned cores = 1;                          // std::thread::hardware_concurrency

  // The durable-write mode with the lowest p50 (nullptr when none was measured).
  const durable_write_ceiling* best_durable() const;
  const durable_write_ceiling* durable_mode(raw_io io) const;
  const cipher_ceiling* cipher(cipher_choice c) const;
};

result<ceilings> measure_ceilings(scratch_dir& scratch, const ceiling_plan& plan);
// One core's seal and open rates of `cipher` for entries of `entry_size` bytes.
result<cipher_ceiling> measure_cipher_ceiling(cipher_choice cipher, std::uint64_t entry_size,
                                              double seconds);

// Every figure of `c` into `rep` (keys prefixed `ceiling_`; bench/README.md lists them).
void add_ceilings(report& rep, const ceilings& c);

// value / ceiling, 0 when there is no ceiling.
double fraction_of(double value, double ceiling);
// MB/s (10^6 bytes) from bytes and seconds; 0 for no time.
double mb_per_sec(double bytes, double seconds);

}  // namespace raftvault::bench
