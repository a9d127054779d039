// The pipeline's options (docs/design.md, "Configuration"): a `raftvault` group in CAF's
// actor_system_config, settable from caf-application.ini, the command line
// (--raftvault.data-dir=...) or code. Every option has a production-safe default;
// read_options() refuses invalid values naming the option.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include <caf/actor_system_config.hpp>

#include "actors/group_mode.h"
#include "codec/cipher.h"
#include "codec/error_types.h"
#include "raftlog/wal_format.h"

namespace raftvault::actors {

struct pipeline_options {
  std::string data_dir;                                  // raftvault.data-dir (required)
  codec::cipher cipher = codec::cipher::xchacha20poly1305;  // raftvault.cipher (new stores)
  std::uint64_t segment_size = raftlog::kDefaultSegmentBytes;  // raftvault.segment-size
  std::uint64_t max_inflight_bytes = 64ull << 20;        // raftvault.max-inflight-bytes
  std::size_t crypto_workers = 2;                        // raftvault.crypto-workers
  std::uint64_t crypto_inline_bytes = 64ull << 10;       // raftvault.crypto-inline-bytes
  std::size_t snapshot_keep = 3;                         // raftvault.snapshot-keep
  std::string unlock_key_file;                           // raftvault.unlock-key-file
  bool create_if_missing = false;                        // raftvault.create-if-missing
  bool autolock = false;                                 // raftvault.autolock (new stores)
  std::string metadata;                                  // raftvault.metadata (new stores)
  std::uint64_t rotation_retry_ms = 1000;                // raftvault.rotation-retry-ms
  std::uint64_t group_commit_linger_us = 500;            // raftvault.group-commit-linger-us
  std::uint64_t group_commit_bytes = 1ull << 20;         // raftvault.group-commit-bytes
  group_mode_setting group_commit_mode = group_mode_setting::automatic;  // raftvault.group-commit-mode
  std::uint64_t segment_delete_rate = 1ull << 30;        // raftvault.segment-delete-rate
  bool wal_direct_io = true;                             // raftvault.wal-direct-io
  std::uint64_t background_nice = 19;                    // raftvault.background-nice
  std::uint64_t rotation_step_pause_us = 2000;           // raftvault.rotation-step-pause-us
  // Blocking I/O on dedicated threads. false: every actor runs on the caller's scheduler (tests
  // drive them on CAF's test coordinator); every other option keeps its meaning.
  bool detach_io = true;
  // Not an option: the pipeline's time source (group-commit-mode=auto's decisions, the WAL
  // writer's disk and idle times). Empty: the steady clock. Tests pass a clock of their own.
  std::function<std::chrono::steady_clock::time_point()> clock;
};

// A config with the raftvault option group declared and raftvault's scheduler defaults
// (docs/design.md, "Scheduler defaults": idle workers block at once, one worker per core, one
// message per actor run). Parse it as any CAF config; a service with options of its own
// derives from it (CAF declares options in subclasses).
class pipeline_config : public caf::actor_system_config {
 public:
  pipeline_config();
};
// Sets the scheduler defaults of docs/design.md, "Scheduler defaults", unless already set.
// scheduler.max-throughput = 1: a worker runs the actor it just made ready next (CAF's work
// stealing is LIFO), so with CAF's default (no limit) the storage would run after every
// client's append and hand each one to the WAL writer alone; one message per run puts it
// behind the clients that are ready, and their appends reach the WAL writer's thread together
// (docs/actors.md, "Hand-over").
void apply_latency_defaults(caf::actor_system_config& config);

// Reads and validates the raftvault group; errc::invalid_argument names the option at fault.
// Refuses a value of the wrong type wherever it was set (CAF 0.17 would silently drop it from an
// ini file, so pipeline_config's options keep it as written for this check) and a key of the
// group that names no raftvault option (a typo in the ini file).
result<pipeline_options> read_options(const caf::actor_system_config& config);

}  // namespace raftvault::actors
