// raftvault-bench pipeline: the actor pipeline (actors/) as a service drives it — N
// closed-loop producers (pipeline_load.h) appending B entries of S bytes per request to the
// storage facade, each waiting for the durable reply, in an actor system built from
// actors::pipeline_config (raftvault's scheduler defaults: docs/design.md, "Scheduler
// defaults").
//
// In the same run, before and after the load, the disk itself is measured: write + fdatasync
// of one append's WAL bytes to a preallocated file in the same directory (raw_disk.h), the
// yardstick of the targets. Optionally a DEK rotation is requested mid-run; the report
// then compares the throughput over the rotation window with the throughput before it.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <optional>
#include <thread>

#include "actors/pipeline.h"
#include "bench/ack_log.h"
#include "bench/benches.h"
#include "bench/payload.h"
#include "bench/pipeline_common.h"
#include "bench/pipeline_load.h"
#include "bench/pipeline_report.h"
#include "bench/raw_disk.h"
#include "bench/scratch_dir.h"
#include "bench/pipeline_open_loop.h"
#include "bench/time_series.h"
#include "fileio/file.h"
#include "raftlog/store_layout.h"

namespace raftvault::bench {
namespace {

// DEK rotations from --rotate-at on, each rotation_gap after the previous one ended, until
// --rotations ran or the load is about to end. A rotation lasts tens of milliseconds, a few
// group commits, so one window alone is noisy: the ratio sums every window and the stretches
// of normal load between them. The same measurement without a rotation — a control window as
// long as the rotation just measured, in the middle of the gap after it — shows how far such
// windows scatter anyway.
rotation_measurement run_rotations(caf::actor_system& system, const pipeline_options& o,
                                   pipeline_load& load, clock_type::time_point t0,
                                   std::uint64_t acked0, clock_type::time_point ends,
                                   status& outcome) {
  const auto gap =
      std::chrono::duration_cast<clock_type::duration>(std::chrono::duration<double>(o.rotation_gap));
  rotation_measurement rot;
  rot.ok = true;
  auto next = load.started + std::chrono::duration_cast<clock_type::duration>(
                                 std::chrono::duration<double>(o.rotate_at));
  auto before_start = t0;
  auto before_acked = acked0;
  double before_entries = 0, before_seconds = 0, window_seconds = 0, control_seconds = 0;
  std::vector<std::pair<double, double>> windows, controls;  // (entries, seconds) each
  for (std::uint64_t i = 0; i < o.rotations && (i == 0 || next + gap < ends); ++i) {
    std::this_thread::sleep_until(next);
    load.provider_asked_ns = -1;
    const auto r0 = clock_type::now();
    if (load.series) load.series->mark(r0, time_series::event::rotation);
    const auto acked_r0 = load.acked_entries.load();
    auto report = ask<actors::rotation_report>(system, load.storage, actors::rotate_dek_atom::value);
    const auto r1 = clock_type::now();
    const auto acked_r1 = load.acked_entries.load();
    ++rot.count;
    before_entries += static_cast<double>(acked_r0 - before_acked);
    before_seconds += seconds_between(before_start, r0);
    rot.window_entries += acked_r1 - acked_r0;
    window_seconds += seconds_between(r0, r1);
    windows.emplace_back(static_cast<double>(acked_r1 - acked_r0), seconds_between(r0, r1));
    if (!report) {
      rot.ok = false;
      outcome = report.error().with_context("DEK rotation " + std::to_string(i + 1));
      break;
    }
    if (seconds_between(r0, r1) > rot.seconds) {  // the longest one is reported
      rot.seconds = seconds_between(r0, r1);
      const auto asked = load.provider_asked_ns.load();
      if (asked >= 0) {
        const auto asked_at = load.started + std::chrono::nanoseconds(asked);
        rot.drain_seconds = seconds_between(r0, asked_at);
        rot.snapshot_seconds = seconds_between(asked_at, r1);
      }
    }
    if (i == 0) rot.old_id = report->old_id;
    rot.new_id = report->new_id;
    rot.last_old = report->last_old;
    rot.snapshot_index = report->snapshot_index;
    before_start = r1;
    before_acked = acked_r1;
    next = r1 + gap;
    // The control window: as long as this rotation, centred in the gap after it.
    const auto length = std::min<clock_type::duration>(r1 - r0, gap / 2);
    const auto c0 = r1 + gap / 2 - length / 2;
    if (c0 + length < ends) {
      std::this_thread::sleep_until(c0);
      const auto start = clock_type::now();
      const auto acked_c0 = load.acked_entries.load();
      std::this_thread::sleep_until(start + length);
      const auto end = clock_type::now();
      controls.emplace_back(static_cast<double>(load.acked_entries.load() - acked_c0),
                            seconds_between(start, end));
      rot.control_entries += static_cast<std::uint64_t>(controls.back().first);
      control_seconds += controls.back().second;
    }
  }
  rot.mean_seconds = rot.count ? window_seconds / static_cast<double>(rot.count) : 0;
  rot.before_rate = before_seconds > 0 ? before_entries / before_seconds : 0;
  rot.window_rate = window_seconds > 0 ? static_cast<double>(rot.window_entries) / window_seconds : 0;
  rot.control_rate =
      control_seconds > 0 ? static_cast<double>(rot.control_entries) / control_seconds : 0;
  // Each window alone against the rate between rotations.
  const auto spread = [&](const std::vector<std::pair<double, double>>& list) {
    std::vector<double> ratios;
    for (const auto& [entries, seconds] : list)
      if (seconds > 0 && rot.before_rate > 0) ratios.push_back(entries / seconds / rot.before_rate);
    return ratios;
  };
  rot.window_ratios = spread(windows);
  rot.control_ratios = spread(controls);
  return rot;
}

// --snapshot-every: a snapshot of --snapshot-size bytes at the highest durable index, every
// snapshot_every seconds until the load ends, as a service compacting its log would.
void take_snapshots(caf::actor_system& system, const pipeline_options& o, pipeline_load& load,
                    clock_type::time_point ends, pipeline_measurement& out) {
  const auto every = std::chrono::duration_cast<clock_type::duration>(
      std::chrono::duration<double>(o.snapshot_every));
  for (auto next = load.started + every; next < ends && !load.stopping; next += every) {
    std::this_thread::sleep_until(next);
    const auto index = load.highest_durable.load();
    if (index == 0) continue;
    snapshot snap;
    snap.metadata.index = index;
    snap.metadata.term = 1;
    snap.metadata.conf.voters = {1};
    snap.data.assign(static_cast<std::size_t>(o.snapshot_size), 's');
    const auto start = clock_type::now();
    if (load.series) load.series->mark(start, time_series::event::snapshot);
    auto taken = ask<std::uint64_t>(system, load.storage, actors::snapshot_atom::value, std::move(snap));
    if (!taken) {
      std::lock_guard<std::mutex> guard(load.results);
      if (load.first_error.empty())
        load.first_error = taken.error().with_context("snapshot at " + std::to_string(index)).describe();
      return;
    }
    out.snapshot_latency.record(clock_type::now() - start);
    ++out.snapshots;
  }
}

// Runs the load against a pipeline over `store` and fills in the pipeline's half of `out`.
status drive(const pipeline_options& o, caf::actor_system_config& config,
             const actors::pipeline_options& store_options, actors::opened_store store,
             const ack_log* acks, pipeline_measurement& out) {
  caf::actor_system system{config};
  auto load = std::make_shared<pipeline_load>();
  load->payload = make_payload(o.size);
  load->batch = o.batch;
  load->snapshot_size = o.snapshot_size;
  load->acks = acks;
  // A reopened store: append after what it holds (the state machine has applied all of it, so
  // a resumed rotation's snapshot may be taken anywhere up to it).
  const auto& recovered = store.recovered;
  const std::uint64_t last = !recovered.entries.empty() ? recovered.entries.back().index
                             : recovered.snap           ? recovered.snap->metadata.index
                                                        : 0;
  load->next_index = last + 1;
  load->highest_sent = last;
  load->storage = actors::spawn_storage(system, store_options, std::move(store));
  auto provider = spawn_snapshot_provider(system, load);
  caf::anon_send(load->storage, actors::provider_atom::value, provider);

  const auto duration = std::chrono::duration<double>(o.duration);
  auto warm_up = std::min(std::chrono::duration<double>(0.5), duration * 0.2);
  if (o.rotate_at > 0) warm_up = std::min(warm_up, std::chrono::duration<double>(o.rotate_at / 2));
  load->started = clock_type::now();
  const auto started = load->started;
  const auto ends = started + std::chrono::duration_cast<clock_type::duration>(duration);
  std::optional<time_series> series;
  if (!o.csv_file.empty()) {
    series.emplace(started, ends - started + std::chrono::seconds(1));
    load->series = &*series;
  }
  std::vector<caf::actor> senders;
  std::thread pacer;
  if (o.rate > 0) {
    for (std::uint64_t i = 0; i < o.producers; ++i) senders.push_back(spawn_open_loop_sender(system, load));
    out.open_loop.emplace();
    pacer = std::thread([&] {
      *out.open_loop = run_open_loop(*load, senders, arrival_schedule(started, o.rate), ends,
                                     store_options.max_inflight_bytes);
    });
  } else {
    for (std::uint64_t i = 0; i < o.producers; ++i) spawn_producer(system, load);
  }
  std::thread snapshots;
  if (o.snapshot_every > 0) snapshots = std::thread([&] { take_snapshots(system, o, *load, ends, out); });

  std::this_thread::sleep_until(started + std::chrono::duration_cast<clock_type::duration>(warm_up));
  auto before = ask<actors::storage_status>(system, load->storage, actors::status_atom::value);
  const auto t0 = clock_type::now();
  const auto acked0 = load->acked_entries.load();
  const auto appends0 = load->acked_appends.load();
  load->measuring = true;

  status outcome;
  if (o.rotate_at > 0) out.rotation = run_rotations(system, o, *load, t0, acked0, ends, outcome);

  // A load whose every producer stopped on a failed append (a failed disk) ends there.
  if (o.rate > 0) pacer.join();
  else load->wait_stopped_until(o.producers, ends);
  load->measuring = false;
  const auto t1 = clock_type::now();
  out.seconds = seconds_between(t0, t1);
  out.entries = load->acked_entries.load() - acked0;
  out.appends = load->acked_appends.load() - appends0;
  auto after = ask<actors::storage_status>(system, load->storage, actors::status_atom::value);
  load->stopping = true;
  if (snapshots.joinable()) snapshots.join();
  if (o.rate > 0) {
    // Every append sent gets its reply (a failed store answers all with its error).
    load->wait_outstanding_below(0, 1, clock_type::time_point::max());
    for (const auto& sender : senders) caf::anon_send(sender, finish_atom::value);
    senders.clear();
  }
  load->wait_stopped(o.producers);
  out.latency = load->latency;
  out.failed_appends = load->failed_appends.load();
  out.lowest_failed_index = load->lowest_failed_index.load();
  out.first_error = load->first_error;
  if (after) out.store_failure = after->failure;
  if (before && after) {
    out.groups = after->fsync_groups - before->fsync_groups;
    out.group_appends = after->durable_appends - before->durable_appends;
    out.group_lingers = after->group_lingers - before->group_lingers;
    out.idle_zeroings = after->idle_zeroings - before->idle_zeroings;
    out.half_groups = after->half_groups;
    out.group_disk_us = after->group_disk_us;
    out.group_appends_in_cycle = after->group_appends_in_cycle;
    out.group_round_trip_us = after->group_round_trip_us;
    out.handovers = after->wal_handovers - before->wal_handovers;
    out.wal_direct_io = after->wal_direct_io;
    for (auto us : after->sync_us) out.wal_sync.record(us * 1000);
  }

  if (series) {
    load->series = nullptr;
    if (auto written = write_text_file(o.csv_file, series->csv()); !written && outcome) outcome = written;
  }
  auto closed = ask<bool>(system, load->storage, actors::close_atom::value);
  if (outcome && !closed) outcome = closed.error().with_context("closing the store");
  // Every handle goes before the system: a handle outliving it blocks its destructor.
  caf::anon_send_exit(load->storage, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(provider, caf::exit_reason::user_shutdown);
  load->storage = nullptr;
  provider = nullptr;
  system.await_all_actors_done();
  return outcome;
}

int fail(const error& e) {
  std::fprintf(stderr, "raftvault-bench pipeline: %s\n", e.describe().c_str());
  return 1;
}

double peak_rss_mib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // Linux: KiB
}

}  // namespace

result<pipeline_run> run_pipeline(const pipeline_options& o) {
  RV_ASSIGN(auto scratch, scratch_dir::open(o.data_dir));
  if (o.keep) scratch.keep();
  const raftlog::store_layout layout{scratch.path(), o.cipher != cipher_choice::none};
  if (!o.reopen) {
    for (const auto& dir : {layout.keys_dir(), layout.wal_dir(), layout.snap_dir()}) {
      if (fileio::exists(dir))
        return error(errc::invalid_argument,
                     dir + " exists: the bench writes a fresh store (--reopen appends to it)");
    }
  }
  std::optional<ack_log> acks;
  if (!o.ack_log.empty()) {
    auto opened = ack_log::open(o.ack_log);
    if (!opened) return opened.error();
    acks.emplace(std::move(opened).value());
  }
  // The store's options come from the same config as the actor system, so `--caf raftvault.X=V`
  // reaches the pipeline too.
  actors::pipeline_config config;
  config.set("raftvault.data-dir", scratch.path());
  config.set("raftvault.create-if-missing", true);
  config.set("raftvault.cipher", std::string(codec::to_string(codec_cipher(o.cipher))));
  config.set("raftvault.segment-size", static_cast<caf::config_value::integer>(o.segment_size));
  apply_caf_settings(config, o);
  auto store_options = actors::read_options(config);
  if (!store_options) return store_options.error();
  auto store = actors::open_store(*store_options);
  if (!o.reopen) {
    for (const auto& dir : {layout.keys_dir(), layout.wal_dir(), layout.snap_dir()})
      if (fileio::exists(dir)) scratch.remove_at_end(dir);
  }
  if (!store) return store.error();

  pipeline_measurement m;
  auto record_bytes = append_record_bytes(*store->log->codec(), o);
  if (!record_bytes) return record_bytes.error();
  m.record_bytes = *record_bytes;

  // The disk before and after the load: a shared disk drifts, the two halves bracket it.
  const auto raw_budget = std::chrono::duration_cast<clock_type::duration>(
      std::chrono::duration<double>(std::clamp(o.duration * 0.2, 0.3, 1.0)));
  if (o.raw_disk) {
    auto raw_before = measure_disk(scratch, "raftvault-raw-before.dat", raw_io::buffered,
                                   m.record_bytes, raw_budget);
    if (!raw_before) return raw_before.error();
    m.raw = *raw_before;
    // The same with O_DIRECT, as the WAL writes under raftvault.wal-direct-io (skipped where
    // the file system has none).
    if (auto direct = measure_disk(scratch, "raftvault-raw-direct-before.dat", raw_io::direct,
                                   m.record_bytes, raw_budget))
      m.raw_direct = *direct;
  }

  auto driven = drive(o, config, *store_options, std::move(store).value(), acks ? &*acks : nullptr, m);

  if (o.raw_disk) {
    auto raw_after = measure_disk(scratch, "raftvault-raw-after.dat", raw_io::buffered,
                                  m.record_bytes, raw_budget);
    if (!raw_after) return raw_after.error();
    m.raw.merge(*raw_after);
    if (m.raw_direct) {
      auto direct = measure_disk(scratch, "raftvault-raw-direct-after.dat", raw_io::direct,
                                 m.record_bytes, raw_budget);
      if (!direct) return direct.error();
      m.raw_direct->merge(*direct);
    }
  }

  m.peak_rss_mib = peak_rss_mib();
  m.max_inflight_bytes = store_options->max_inflight_bytes;
  pipeline_run out{std::move(m), std::move(driven), o.keep ? scratch.path() : std::string()};
  return out;
}

status pipeline_run::outcome() const {
  RV_TRY(driven);
  if (measurement.failed_appends > 0)
    return error(errc::io, std::to_string(measurement.failed_appends) + " appends failed, first: " +
                               measurement.first_error);
  // A producer that stopped without a failed append: its acknowledgement could not be logged.
  if (!measurement.first_error.empty()) return error(errc::io, measurement.first_error);
  return {};
}

int run_pipeline_bench(const pipeline_options& o) {
  if (o.alternate_plaintext) return run_pipeline_alternate(o);
  auto run = run_pipeline(o);
  if (!run) return fail(run.error());
  const report rep = make_pipeline_report(o, run->measurement, run->kept_dir);
  if (auto emitted = emit(rep, o.json, o.json_file); !emitted) return fail(emitted.error());
  if (auto outcome = run->outcome(); !outcome) return fail(outcome.error());
  return 0;
}

}  // namespace raftvault::bench
