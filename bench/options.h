// Command-line options of raftvault-bench's subcommands (usage text in main.cpp). Parsing
// returns errc::invalid_argument with a message naming the option at fault; main turns it
// into exit code 2.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "codec/error.h"
#include "raftlog/wal_format.h"

namespace raftvault::bench {

enum class cipher_choice { none, secretbox, xchacha20poly1305 };
std::string to_string(cipher_choice cipher);

// Every subcommand takes `--json` alone (one JSON object on stdout instead of the table) or
// `--json FILE` / `--json=FILE` (the table on stdout, every figure as JSON into FILE); the load
// subcommands also `--csv FILE` (the 100 ms time series, time_series.h).

// raftvault-bench wal: the WAL engine alone (raftlog/wal.h).
struct wal_options {
  std::uint64_t entries = 100'000;
  std::uint64_t size = 128;          // bytes of Entry.Data per entry
  std::uint64_t batch = 256;         // entries per save
  bool sync = true;                  // false: --no-sync (wal::append, never fdatasync)
  bool direct_io = false;            // --direct-io: wal_options::direct_io (O_DIRECT tail)
  std::string data_dir;              // empty: a fresh temp dir under /var/tmp, removed after
  bool keep = false;                 // leave data_dir's wal-v3/ and snap-v3/ in place
  bool json = false;
  std::string json_file;             // --json FILE
  std::uint64_t segment_size = raftlog::kDefaultSegmentBytes;
  cipher_choice cipher = cipher_choice::none;
};

// raftvault-bench raw: write + fdatasync of fixed-size blocks, the disk's own baseline.
struct raw_options {
  std::uint64_t size = 1 << 20;  // bytes per block
  std::uint64_t count = 256;     // blocks
  std::string data_dir;          // where the scratch file goes (default: temp dir under /var/tmp)
  bool direct = false;           // O_DIRECT writes, as a WAL with wal-direct-io writes its tail
  bool json = false;
  std::string json_file;         // --json FILE
};

// raftvault-bench pipeline: the actor pipeline (actors/) under closed-loop producers.
struct pipeline_options {
  std::uint64_t producers = 1;       // closed-loop producers, one request in flight each
  std::uint64_t size = 256;          // bytes of Entry.Data per entry
  std::uint64_t batch = 1;           // entries per append request
  double duration = 3.0;             // seconds of load (warm-up included)
  cipher_choice cipher = cipher_choice::xchacha20poly1305;
  double rotate_at = 0;              // > 0: request a DEK rotation this many seconds in
  std::uint64_t rotations = 1;       // from rotate_at on, rotation_gap apart
  // Seconds between one rotation's report and the next request (--rotate-every; with it
  // rotate_at defaults to the same and rotations to as many as the duration holds).
  double rotation_gap = 0.25;
  std::uint64_t snapshot_size = 64 << 10;  // bytes of the rotation's forced snapshot
  std::uint64_t segment_size = raftlog::kDefaultSegmentBytes;
  std::string data_dir;              // empty: a fresh temp dir under /var/tmp, removed after
  bool keep = false;
  // --reopen: append to the store already in data_dir (created when there is none) after its
  // last index, and keep it.
  bool reopen = false;
  // --ack-log FILE: every acknowledged append's last index, one line each (bench/ack_log.h).
  std::string ack_log;
  bool raw_disk = true;              // false: --no-raw-disk, no disk baseline before and after
  bool json = false;
  std::string json_file;             // --json FILE
  std::string csv_file;              // --csv FILE: the 100 ms time series
  // --rate R: open loop, R appends/s scheduled at fixed times and sent round-robin by the
  // `producers` senders; a latency counts from the scheduled time (pipeline_open_loop.h).
  // 0: closed loop.
  double rate = 0;
  double snapshot_every = 0;         // --snapshot-every T: a snapshot request every T seconds
  // --alternate-plaintext: the same load against an encrypted and a plaintext store in one
  // process, in turns of `slice` seconds (pipeline_alternate.cpp).
  bool alternate_plaintext = false;
  double slice = 0.4;
  // Extra CAF settings (`--caf key=value`, e.g. work-stealing.moderate-poll-attempts=500),
  // applied over raftvault's defaults: how the scheduler settings of docs/design.md,
  // "Scheduler defaults", are measured.
  std::vector<std::pair<std::string, std::string>> caf_settings;
};

// raftvault-bench ceiling: what bounds the other benches (ceiling.h).
struct ceiling_options {
  std::uint64_t block = 4096;      // --block: bytes per durable write
  std::uint64_t seal_size = 4096;  // --seal-size: bytes per sealed entry
  double duration = 0.5;           // --duration: seconds per measurement
  std::string data_dir;
  bool json = false;
  std::string json_file;
};

// raftvault-bench recovery: open + read-all of an encrypted store (recovery_bench.cpp).
struct recovery_options {
  std::uint64_t store_size = 1ull << 30;  // --store-size: payload bytes written before
  std::uint64_t size = 4096;              // --size: bytes of Entry.Data per entry
  cipher_choice cipher = cipher_choice::xchacha20poly1305;
  bool cold = true;                       // false: --no-cold, warm only
  std::string data_dir;
  bool json = false;
  std::string json_file;
};

// raftvault-bench all: ceiling, wal, pipeline (1 and 64 producers), overload, rotation and
// recovery in one process, then every target of the issue with its ratio (all_bench.cpp).
struct all_options {
  double duration = 3;                    // --duration: seconds of each pipeline run
  std::uint64_t store_size = 256ull << 20;  // --store-size: recovery's store
  bool quick = false;                     // --quick: a smoke run of a few seconds in all
  std::string data_dir;
  bool json = false;
  std::string json_file;
  std::string csv_file;                   // the rotation run's time series
};

// `args` are the words after the subcommand name.
result<wal_options> parse_wal_options(const std::vector<std::string>& args);
result<raw_options> parse_raw_options(const std::vector<std::string>& args);
result<pipeline_options> parse_pipeline_options(const std::vector<std::string>& args);
// pipeline's options over the rotation defaults: --producers 64 --duration 5.5 --rotate-at 1
// --rotations 12.
result<pipeline_options> parse_rotation_options(const std::vector<std::string>& args);
result<ceiling_options> parse_ceiling_options(const std::vector<std::string>& args);
result<recovery_options> parse_recovery_options(const std::vector<std::string>& args);
result<all_options> parse_all_options(const std::vector<std::string>& args);

// "1000", "2.5k", "1M" -> appends per second (above 0, at most 10^9). Exposed for tests.
result<double> parse_rate(const std::string& option, const std::string& text);

// "3", "2.5", "2.5s", "300ms" -> seconds (0 to one day). Exposed for tests.
result<double> parse_seconds(const std::string& option, const std::string& text);

// "128", "4KiB", "4k", "1MiB", "64M", "1GiB" -> bytes (binary multiples). Exposed for tests.
result<std::uint64_t> parse_byte_size(const std::string& option, const std::string& text);

}  // namespace raftvault::bench
