// What `raftvault-bench pipeline` measured, and its report (bench/README.md lists the keys).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bench/options.h"
#include "bench/pipeline_open_loop.h"
#include "bench/raw_disk.h"
#include "bench/report.h"
#include "bench/stats.h"

namespace raftvault::bench {

struct rotation_measurement {
  bool ok = false;
  std::uint64_t count = 0;      // rotations run
  double mean_seconds = 0;
  // The longest rotation:
  double seconds = 0;           // rotate_dek request -> report
  double drain_seconds = 0;     // request -> the provider was asked (prepare + barrier)
  double snapshot_seconds = 0;  // provider asked -> report (snapshot sealed, written, retire)
  // All rotations:
  std::uint64_t window_entries = 0;
  double before_rate = 0;  // entries/s between rotations (from the end of warm-up)
  double window_rate = 0;  // entries/s while rotations ran
  // Control: windows as long as each rotation, in the middle of the gap after it.
  std::uint64_t control_entries = 0;
  double control_rate = 0;
  std::vector<double> window_ratios;   // each rotation's window / before_rate
  std::vector<double> control_ratios;  // each control window / before_rate
  std::uint32_t old_id = 0;  // of the first; the rest of the last
  std::uint32_t new_id = 0;
  std::uint64_t last_old = 0;
  std::uint64_t snapshot_index = 0;
};

struct pipeline_measurement {
  std::uint64_t record_bytes = 0;  // WAL bytes of one append (the raw disk's block size)
  raw_disk_run raw;                // before + after the load, write(2) + fdatasync
  std::optional<raw_disk_run> raw_direct;  // the same with O_DIRECT, where the disk takes it
  bool wal_direct_io = false;      // the pipeline's WAL wrote with O_DIRECT
  double seconds = 0;              // the measured window (after warm-up)
  std::uint64_t entries = 0;       // acknowledged in the window
  std::uint64_t appends = 0;
  latency_histogram latency;       // send -> durable reply
  latency_histogram wal_sync;      // the WAL writer's fdatasyncs (its last 4096)
  std::uint64_t groups = 0;        // WAL fdatasyncs of append groups in the window
  std::uint64_t group_appends = 0;
  std::uint64_t group_lingers = 0;  // times a group waited for expected appends (a timer)
  std::uint64_t idle_zeroings = 0;  // zeros ahead written between groups (256 KiB each)
  bool half_groups = false;         // at the end of the load, and the estimates behind it
  double group_disk_us = 0, group_appends_in_cycle = 0, group_round_trip_us = 0;
  std::uint64_t handovers = 0;      // messages that carried appends to the WAL writer
  std::uint64_t failed_appends = 0;
  std::uint64_t lowest_failed_index = 0;  // 0: no append failed
  std::string first_error;
  std::string store_failure;  // the storage's sticky error at the end (fail-stop), if any
  std::optional<rotation_measurement> rotation;
  // --rate: the open loop's pacing (pipeline_open_loop.h)
  std::optional<open_loop_result> open_loop;
  std::uint64_t max_inflight_bytes = 0;  // the storage's raftvault.max-inflight-bytes
  // --snapshot-every: snapshot requests made, failed, and how long each took
  std::uint64_t snapshots = 0;
  latency_histogram snapshot_latency;
  double peak_rss_mib = 0;  // getrusage ru_maxrss at the end of the run
};

// One pipeline run (pipeline_bench.cpp): what it measured, how the load ended, and the data
// directory when kept.
struct pipeline_run {
  pipeline_measurement measurement;
  status driven;
  std::string kept_dir;
  // The run's verdict: the load's own error, else failed appends, else a producer's error.
  status outcome() const;
};
// Runs `o` (not --alternate-plaintext); an error when the run could not start.
result<pipeline_run> run_pipeline(const pipeline_options& o);

report make_pipeline_report(const pipeline_options& o, const pipeline_measurement& m,
                            const std::string& kept_dir);

}  // namespace raftvault::bench
