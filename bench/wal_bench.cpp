// raftvault-bench wal: the WAL engine alone, driven like a raft node drives it — each save
// carries a batch of entries and a hard state whose commit covers them. With sync every save
// is wal::save (one fdatasync per save); with --no-sync it is wal::append with
// wal_options::unsafe_no_sync (etcd's --unsafe-no-fsync: no fdatasync, not even at a cut).
// Timed: the save loop only (store creation and close are outside the clock).
//
// --cipher secretbox|xchacha20poly1305: the same load runs twice in one invocation, first
// through the encrypted log (each payload sealed as the WAL frames it, inside the timed save, a
// random 32-byte DEK) into DIR/wal-v3-encrypted, then plaintext into DIR/wal-v3, and the
// report puts the sealing cost beside the plaintext run.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>
#include <vector>

#include "bench/bench_codec.h"
#include "bench/benches.h"
#include "bench/payload.h"
#include "bench/report.h"
#include "bench/scratch_dir.h"
#include "bench/stats.h"
#include "fileio/file.h"
#include "fileio/io_counters.h"
#include "raftlog/encrypted_log.h"
#include "raftlog/sealing_hook.h"
#include "raftlog/store_layout.h"
#include "raftlog/wal.h"

namespace raftvault::bench {
namespace {

using clock_type = std::chrono::steady_clock;

struct wal_run {
  latency_histogram saves;
  double seconds = 0;
  std::uint64_t fdatasyncs = 0;
  std::uint64_t fsyncs = 0;
  std::uint64_t segments = 0;
  double seal_seconds = 0;  // sealing the same batches alone, untimed pass (encrypted runs)
};

// The same loop through an encrypted log: seal the batch (also timed on its own), then
// append (--no-sync) or save the sealed records, as the actor pipeline drives the WAL.
result<wal_run> run_encrypted(const wal_options& o, scratch_dir& scratch,
                              std::shared_ptr<const raftlog::payload_codec> codec) {
  raftlog::log_options config;
  config.wal.segment_size = o.segment_size;
  config.wal.unsafe_no_sync = !o.sync;
  config.wal.direct_io = o.direct_io;
  const raftlog::store_layout layout{scratch.path(), /*encrypted=*/true};
  const bool had_snap_dir = fileio::exists(layout.snap_dir());
  RV_ASSIGN(auto log, raftlog::encrypted_log::create(scratch.path(), "raftvault-bench", codec, config));
  scratch.remove_at_end(layout.wal_dir());
  if (!had_snap_dir) scratch.remove_at_end(layout.snap_dir());

  const std::string payload = make_payload(o.size);
  std::vector<entry> batch(static_cast<std::size_t>(std::min(o.batch, o.entries)));
  for (auto& e : batch) {
    e.term = 1;
    e.data = payload;
  }
  // One untimed seal warms libsodium and the allocator, which the plaintext run does not
  // need; without it small runs charge that one-off cost to the cipher.
  if (auto warm = codec->seal_entries(batch); !warm) return warm.error();

  wal_run out;
  // Sealing alone, for the report: the same batches sealed without writing, in a pass of
  // their own (in the timed loop sealing happens inside the save, as the WAL frames it).
  std::vector<entry> to_seal = batch;
  const auto seal_start = clock_type::now();
  for (std::uint64_t next = 1; next <= o.entries; next += to_seal.size()) {
    to_seal.resize(std::min<std::uint64_t>(to_seal.size(), o.entries - next + 1));
    for (std::size_t i = 0; i < to_seal.size(); ++i) to_seal[i].index = next + i;
    if (auto sealed = codec->seal_entries(to_seal); !sealed) return sealed.error();
  }
  out.seal_seconds = std::chrono::duration<double>(clock_type::now() - seal_start).count();

  fileio::reset_io_call_counts();
  const auto start = clock_type::now();
  for (std::uint64_t next = 1; next <= o.entries;) {
    const std::uint64_t n = std::min<std::uint64_t>(batch.size(), o.entries - next + 1);
    batch.resize(static_cast<std::size_t>(n));
    for (std::uint64_t i = 0; i < n; ++i) batch[i].index = next + i;
    const hard_state state{1, 1, next + n - 1};
    const auto save_start = clock_type::now();
    // What encrypted_log::save does: each payload sealed into one reused buffer while the
    // WAL frames the batch (raftlog/sealing_hook.h).
    auto hook = raftlog::sealing_hook::make(codec, batch.size());
    if (!hook) return hook.error();
    auto saved = o.sync ? log->log().save(state, batch, **hook)
                        : log->log().append(state, batch, **hook);
    out.saves.record(clock_type::now() - save_start);
    if (!saved) return saved.error().with_context("save at index " + std::to_string(next));
    next += n;
  }
  out.seconds = std::chrono::duration<double>(clock_type::now() - start).count();
  out.fdatasyncs = fileio::io_call_count(fileio::op::fdatasync);
  out.fsyncs = fileio::io_call_count(fileio::op::fsync);
  out.segments = log->log().segments().size();
  RV_TRY(log->close());
  return out;
}

result<wal_run> run(const wal_options& o, scratch_dir& scratch) {
  const raftlog::store_layout layout{scratch.path(), /*encrypted=*/false};
  if (!fileio::exists(layout.snap_dir())) {
    RV_TRY(fileio::make_dir(layout.snap_dir(), fileio::kPrivateDirMode));
    scratch.remove_at_end(layout.snap_dir());
  }
  raftlog::wal_options wal_config;
  wal_config.segment_size = o.segment_size;
  // --no-sync is etcd's --unsafe-no-fsync: no fdatasync at all, segment cuts included, so the
  // run measures the engine's CPU and page-cache cost rather than the disk's write rate.
  wal_config.unsafe_no_sync = !o.sync;
  wal_config.direct_io = o.direct_io;
  RV_ASSIGN(auto log, raftlog::wal::create(layout.wal_dir(), "raftvault-bench", wal_config));
  scratch.remove_at_end(layout.wal_dir());

  // One batch of entries reused for every save: only the indexes change, so the loop
  // measures the WAL, not the allocator.
  const std::string payload = make_payload(o.size);
  std::vector<entry> batch(static_cast<std::size_t>(std::min(o.batch, o.entries)));
  for (auto& e : batch) {
    e.term = 1;
    e.data = payload;
  }

  wal_run out;
  fileio::reset_io_call_counts();
  const auto start = clock_type::now();
  for (std::uint64_t next = 1; next <= o.entries;) {
    const std::uint64_t n = std::min<std::uint64_t>(batch.size(), o.entries - next + 1);
    batch.resize(static_cast<std::size_t>(n));  // only the last batch can be shorter
    for (std::uint64_t i = 0; i < n; ++i) batch[i].index = next + i;
    const hard_state state{1, 1, next + n - 1};
    const auto save_start = clock_type::now();
    auto saved = o.sync ? log->save(state, batch) : log->append(state, batch);
    out.saves.record(clock_type::now() - save_start);
    if (!saved) return saved.error().with_context("save at index " + std::to_string(next));
    next += n;
  }
  out.seconds = std::chrono::duration<double>(clock_type::now() - start).count();
  out.fdatasyncs = fileio::io_call_count(fileio::op::fdatasync);
  out.fsyncs = fileio::io_call_count(fileio::op::fsync);
  out.segments = log->segments().size();
  RV_TRY(log->close());
  return out;
}

// `plain` is the plaintext run of the same invocation when `r` is an encrypted one.
report make_report(const wal_options& o, const wal_run& r, const wal_run* plain,
                   const std::string& kept_dir) {
  const double entries_per_sec = static_cast<double>(o.entries) / r.seconds;
  const double mb_per_sec = static_cast<double>(o.entries * o.size) / r.seconds / 1e6;
  report rep("raftvault-bench wal: " + std::to_string(o.entries) + " entries x " +
             std::to_string(o.size) + " B, batch " + std::to_string(o.batch) + ", " +
             (o.sync ? "fdatasync per save" : "no-sync") + (o.direct_io ? ", O_DIRECT" : "") +
             ", cipher " + to_string(o.cipher));
  rep.add_json("bench", "wal")
      .add_json("entries", o.entries)
      .add_json("size", o.size)
      .add_json("batch", o.batch)
      .add_json("sync", o.sync)
      .add_json("direct_io", o.direct_io)
      .add_json("cipher", to_string(o.cipher))
      .add_json("segment_size", o.segment_size)
      .add("seconds", "time", r.seconds, 3, "s")
      .add("entries_per_sec", "entries/s", entries_per_sec, 0)
      .add("mb_per_sec", "throughput", mb_per_sec, 1, "MB/s")
      .add("save_p50_us", "save p50", to_micros(r.saves.percentile(50)), 1, "us")
      .add("save_p99_us", "save p99", to_micros(r.saves.percentile(99)), 1, "us")
      .add("save_max_us", "save max", to_micros(r.saves.max()), 1, "us")
      .add("saves", "saves", r.saves.count())
      .add("fdatasyncs", "fdatasyncs", r.fdatasyncs)
      .add("fsyncs", "fsyncs", r.fsyncs)
      .add("segments", "segments", r.segments);
  if (plain != nullptr) {
    const double bytes = static_cast<double>(o.entries * o.size);
    const double per_entry_us = (r.seconds - plain->seconds) / static_cast<double>(o.entries) * 1e6;
    rep.add("seal_seconds", "sealing", r.seal_seconds, 3, "s")
        .add("seal_mb_per_sec", "sealing alone", bytes / r.seal_seconds / 1e6, 1, "MB/s")
        .add("plain_seconds", "none: time", plain->seconds, 3, "s")
        .add("plain_mb_per_sec", "none: throughput", bytes / plain->seconds / 1e6, 1, "MB/s")
        .add("plain_save_p50_us", "none: save p50", to_micros(plain->saves.percentile(50)), 1, "us")
        .add("cipher_cost_us_per_entry", "cipher cost", per_entry_us, 3, "us/entry")
        .add("cipher_slowdown_pct", "cipher slowdown",
             (r.seconds / plain->seconds - 1.0) * 100.0, 1, "%");
  }
  if (!kept_dir.empty()) rep.add_json("data_dir", kept_dir);
  return rep;
}

}  // namespace

result<report> measure_wal(const wal_options& o, scratch_dir& scratch) {
  // Encrypted first: encrypted_log::create refuses a data dir that already holds a store.
  std::optional<wal_run> encrypted;
  if (o.cipher != cipher_choice::none) {
    RV_ASSIGN(auto codec, make_bench_codec(o.cipher));
    RV_ASSIGN(auto sealed_run, run_encrypted(o, scratch, codec));
    encrypted = std::move(sealed_run);
  }
  RV_ASSIGN(auto measured, run(o, scratch));
  const std::string kept = o.keep ? scratch.path() : std::string();
  return encrypted ? make_report(o, *encrypted, &measured, kept) : make_report(o, measured, nullptr, kept);
}

int run_wal_bench(const wal_options& o) {
  auto fail = [](const error& e) {
    std::fprintf(stderr, "raftvault-bench wal: %s\n", e.describe().c_str());
    return 1;
  };
  auto scratch = scratch_dir::open(o.data_dir);
  if (!scratch) return fail(scratch.error());
  if (o.keep) scratch->keep();
  auto rep = measure_wal(o, *scratch);
  if (!rep) return fail(rep.error());
  if (auto emitted = emit(*rep, o.json, o.json_file); !emitted) return fail(emitted.error());
  if (o.keep && !o.json) {
    const char* dir = scratch->path().c_str();
    std::printf("  kept %s/wal-v3 and %s/snap-v3\n", dir, dir);
    if (o.cipher != cipher_choice::none)
      std::printf("  kept %s/wal-v3-encrypted and %s/snap-v3-encrypted\n", dir, dir);
  }
  return 0;
}

}  // namespace raftvault::bench
