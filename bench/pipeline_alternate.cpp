// raftvault-bench pipeline --alternate-plaintext: the encrypted/plaintext ratio of issue 5's
// target (c) measured in one process. The same closed-loop load (pipeline_load.h) runs against
// an encrypted store and a plaintext store in turns of --slice seconds, in the order E P P E
// E P P E ..., so that the shared disk's fdatasync mode (it switches between ~0.1 and ~4 ms
// within seconds) and the other processes' CPU load fall on both sides alike. Separate runs
// a few seconds apart differ by more than the 10% the target allows.
//
// Each slice starts its producers, measures after a ramp of a quarter slice (the closed loop
// fills within a few group commits) until the slice ends, then stops them and waits for their
// last replies, which are not counted. One unmeasured slice per side comes first (first
// segment, page cache, crypto workers). The ratio is entries/s summed over every measured
// slice; the adjacent-pair ratios show the spread.
#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <thread>

#include "actors/pipeline.h"
#include "bench/benches.h"
#include "bench/payload.h"
#include "bench/pipeline_common.h"
#include "bench/pipeline_load.h"
#include "bench/report.h"
#include "fileio/file.h"

namespace raftvault::bench {
namespace {

struct side {
  std::string name;
  actors::pipeline_options store_options;
  std::shared_ptr<pipeline_load> load = std::make_shared<pipeline_load>();
  double seconds = 0;  // measured, all slices
  std::uint64_t entries = 0;
  std::uint64_t groups = 0;  // WAL fdatasyncs of append groups while measuring
  std::uint64_t group_appends = 0;
  std::vector<double> slice_rates;  // entries/s of each measured slice
  double cpu_seconds = 0;  // the whole process's, while this side was measured
};

// User + system CPU time of the whole process (every thread).
double process_cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// One turn of `s`'s producers; `measure` false: warm-up only.
status run_slice(caf::actor_system& system, const pipeline_options& o, side& s, bool measure) {
  const auto slice = std::chrono::duration_cast<clock_type::duration>(
      std::chrono::duration<double>(o.slice));
  s.load->allow_restart();
  const auto start = clock_type::now();
  for (std::uint64_t i = 0; i < o.producers; ++i) spawn_producer(system, s.load);
  std::this_thread::sleep_until(start + slice / 4);
  RV_ASSIGN(auto before, ask<actors::storage_status>(system, s.load->storage, actors::status_atom::value));
  const auto t0 = clock_type::now();
  const auto acked0 = s.load->acked_entries.load();
  const auto cpu0 = process_cpu_seconds();
  s.load->measuring = measure;
  std::this_thread::sleep_until(start + slice);
  s.load->measuring = false;
  const auto t1 = clock_type::now();
  const auto acked1 = s.load->acked_entries.load();
  const auto cpu1 = process_cpu_seconds();
  RV_ASSIGN(auto after, ask<actors::storage_status>(system, s.load->storage, actors::status_atom::value));
  s.load->stopping = true;
  s.load->wait_stopped(o.producers);
  if (!measure) return {};
  s.seconds += seconds_between(t0, t1);
  s.cpu_seconds += cpu1 - cpu0;
  s.entries += acked1 - acked0;
  s.groups += after.fsync_groups - before.fsync_groups;
  s.group_appends += after.durable_appends - before.durable_appends;
  s.slice_rates.push_back(static_cast<double>(acked1 - acked0) / seconds_between(t0, t1));
  return {};
}

double rate(const side& s) { return s.seconds > 0 ? static_cast<double>(s.entries) / s.seconds : 0; }
double ratio(double a, double b) { return b > 0 ? a / b : 0; }

// Both stores in one actor system; E P P E ... turns; both closed before the system goes.
status drive(const pipeline_options& o, caf::actor_system_config& config,
             std::vector<actors::opened_store> stores, side& encrypted, side& plaintext) {
  caf::actor_system system{config};
  side* sides[] = {&encrypted, &plaintext};
  for (std::size_t i = 0; i < 2; ++i) {
    sides[i]->load->payload = make_payload(o.size);
    sides[i]->load->batch = o.batch;
    sides[i]->load->started = clock_type::now();
    sides[i]->load->storage =
        actors::spawn_storage(system, sides[i]->store_options, std::move(stores[i]));
  }
  const auto pairs = std::max<std::uint64_t>(
      2, static_cast<std::uint64_t>((o.duration - 2 * o.slice) / (2 * o.slice)));
  status outcome = run_slice(system, o, encrypted, false);
  if (outcome) outcome = run_slice(system, o, plaintext, false);
  for (std::uint64_t pair = 0; outcome && pair < pairs; ++pair) {
    side& first = pair % 2 == 0 ? encrypted : plaintext;
    side& second = pair % 2 == 0 ? plaintext : encrypted;
    outcome = run_slice(system, o, first, true);
    if (outcome) outcome = run_slice(system, o, second, true);
  }
  for (side* s : sides) {
    auto closed = ask<bool>(system, s->load->storage, actors::close_atom::value);
    if (outcome && !closed) outcome = closed.error().with_context("closing the " + s->name + " store");
    // Every handle goes before the system: a handle outliving it blocks its destructor.
    caf::anon_send_exit(s->load->storage, caf::exit_reason::user_shutdown);
    s->load->storage = nullptr;
  }
  system.await_all_actors_done();
  return outcome;
}

report make_report(const pipeline_options& o, const side& enc, const side& plain,
                   const raw_disk_run& raw) {
  std::vector<double> pair_ratios;
  for (std::size_t i = 0; i < enc.slice_rates.size() && i < plain.slice_rates.size(); ++i)
    pair_ratios.push_back(ratio(enc.slice_rates[i], plain.slice_rates[i]));
  std::sort(pair_ratios.begin(), pair_ratios.end());
  const auto pick = [&](double q) {  // q in [0, 1]: smallest, median, largest
    if (pair_ratios.empty()) return 0.0;
    const auto last = static_cast<double>(pair_ratios.size() - 1);
    return pair_ratios[static_cast<std::size_t>(q * last + 0.5)];
  };
  const double mb = static_cast<double>(o.size) / 1e6;
  const double enc_mb = rate(enc) * mb;
  const double plain_mb = rate(plain) * mb;
  const auto appends_per_group = [](const side& s) {
    return ratio(static_cast<double>(s.group_appends), static_cast<double>(s.groups));
  };
  const auto rates_text = [mb](const side& s) {
    std::string text;
    for (double r : s.slice_rates) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%s%.0f", text.empty() ? "" : " ", r * mb);
      text += buf;
    }
    return text;
  };
  report rep("raftvault-bench pipeline --alternate-plaintext: " + std::to_string(o.producers) +
             " producers, " + std::to_string(o.batch) + " x " + std::to_string(o.size) +
             " B per append, cipher " + to_string(o.cipher) + " vs none, fdatasync on");
  rep.add_json("bench", "pipeline")
      .add_json("mode", "alternate-plaintext")
      .add_json("producers", o.producers)
      .add_json("size", o.size)
      .add_json("batch", o.batch)
      .add_json("cipher", to_string(o.cipher))
      .add_json("duration", o.duration, 3)
      .add_json("slice", o.slice, 3)
      .add("pairs", "slice pairs", static_cast<std::uint64_t>(pair_ratios.size()))
      .add("seconds", "measured per side", enc.seconds, 3, "s")
      .add("mb_per_sec", "encrypted", enc_mb, 1, "MB/s")
      .add("plaintext_mb_per_sec", "plaintext", plain_mb, 1, "MB/s")
      .add("encrypted_vs_plaintext", "encrypted / plaintext", ratio(enc_mb, plain_mb), 3, "x")
      .add("pair_ratio_min", "pair ratio min", pick(0), 2, "x")
      .add("pair_ratio_median", "pair ratio median", pick(0.5), 2, "x")
      .add("pair_ratio_max", "pair ratio max", pick(1), 2, "x")
      .add("appends_per_group", "encrypted appends/fdatasync", appends_per_group(enc), 1)
      .add("plaintext_appends_per_group", "plaintext appends/fdatasync", appends_per_group(plain), 1)
      .add("latency_p50_us", "encrypted append p50", to_micros(enc.load->latency.percentile(50)), 1, "us")
      .add("plaintext_latency_p50_us", "plaintext append p50",
           to_micros(plain.load->latency.percentile(50)), 1, "us")
      .add("failed_appends", "failed appends",
           enc.load->failed_appends.load() + plain.load->failed_appends.load())
      .add("cpu_cores", "encrypted: CPU cores used", ratio(enc.cpu_seconds, enc.seconds), 2)
      .add("plaintext_cpu_cores", "plaintext: CPU cores used", ratio(plain.cpu_seconds, plain.seconds), 2)
      .add("cpu_ms_per_mb", "encrypted: CPU ms per MB", ratio(enc.cpu_seconds * 1e3, enc_mb * enc.seconds), 2)
      .add("plaintext_cpu_ms_per_mb", "plaintext: CPU ms per MB",
           ratio(plain.cpu_seconds * 1e3, plain_mb * plain.seconds), 2)
      .add_json("slice_mb_per_sec", rates_text(enc))
      .add_json("plaintext_slice_mb_per_sec", rates_text(plain))
      .add("raw_mb_per_sec", "raw: throughput", raw.mb_per_sec(), 1, "MB/s")
      .add("mb_per_sec_vs_raw", "encrypted / raw", ratio(enc_mb, raw.mb_per_sec()), 2, "x");
  return rep;
}

int fail(const error& e) {
  std::fprintf(stderr, "raftvault-bench pipeline: %s\n", e.describe().c_str());
  return 1;
}

}  // namespace

int run_pipeline_alternate(const pipeline_options& o) {
  auto scratch = scratch_dir::open(o.data_dir);
  if (!scratch) return fail(scratch.error());
  if (o.keep) scratch->keep();
  actors::pipeline_config config;
  config.set("raftvault.data-dir", scratch->path() + "/encrypted");
  config.set("raftvault.create-if-missing", true);
  config.set("raftvault.cipher", std::string(codec::to_string(codec_cipher(o.cipher))));
  config.set("raftvault.segment-size", static_cast<caf::config_value::integer>(o.segment_size));
  apply_caf_settings(config, o);
  auto options = actors::read_options(config);
  if (!options) return fail(options.error());
  side encrypted;
  encrypted.name = "encrypted";
  encrypted.store_options = *options;
  side plaintext;
  plaintext.name = "plaintext";
  plaintext.store_options = *options;
  plaintext.store_options.data_dir = scratch->path() + "/plaintext";
  plaintext.store_options.cipher = codec::cipher::none;
  std::vector<actors::opened_store> stores;
  for (side* s : {&encrypted, &plaintext}) {
    if (fileio::exists(s->store_options.data_dir))
      return fail(error(errc::invalid_argument,
                        s->store_options.data_dir + " exists: the bench writes a fresh store"));
    auto store = actors::open_store(s->store_options);
    if (fileio::exists(s->store_options.data_dir)) scratch->remove_at_end(s->store_options.data_dir);
    if (!store) return fail(store.error());
    stores.push_back(std::move(*store));
  }
  auto block = append_record_bytes(*stores.front().log->codec(), o);
  if (!block) return fail(block.error());

  const auto raw_budget = std::chrono::duration_cast<clock_type::duration>(
      std::chrono::duration<double>(std::clamp(o.duration * 0.1, 0.3, 1.0)));
  auto raw = measure_disk(*scratch, "raftvault-raw-before.dat", raw_io::buffered, *block,
                          raw_budget);
  if (!raw) return fail(raw.error());
  auto driven = drive(o, config, std::move(stores), encrypted, plaintext);
  auto raw_after = measure_disk(*scratch, "raftvault-raw-after.dat", raw_io::buffered, *block,
                                raw_budget);
  if (!raw_after) return fail(raw_after.error());
  raw->merge(*raw_after);

  const report rep = make_report(o, encrypted, plaintext, *raw);
  if (auto emitted = emit(rep, o.json, o.json_file); !emitted) return fail(emitted.error());
  if (!driven) return fail(driven.error());
  const auto failed = encrypted.load->failed_appends.load() + plaintext.load->failed_appends.load();
  if (failed > 0) {
    const auto& first = encrypted.load->first_error.empty() ? plaintext.load->first_error
                                                             : encrypted.load->first_error;
    return fail(error(errc::io, std::to_string(failed) + " appends failed, first: " + first));
  }
  return 0;
}

}  // namespace raftvault::bench
