// raftvault-bench all: every bench of the issue in one process, so each ratio compares runs
// made minutes apart at most on the same disk: the ceilings first, then the WAL, the pipeline
// with 1 and 64 producers, an open-loop overload, DEK rotations under load with snapshots,
// and a restart; each report prints as it completes (figures against their ceiling added),
// and the targets close the run. --quick shrinks every run to a smoke test of a few seconds.
#include <algorithm>
#include <cstdio>
#include <vector>

#include "bench/bench_codec.h"
#include "bench/benches.h"
#include "bench/ceiling.h"
#include "bench/pipeline_common.h"
#include "bench/pipeline_report.h"
#include "bench/recovery.h"
#include "bench/targets.h"

namespace raftvault::bench {
namespace {

struct all_run {
  const all_options& o;
  scratch_dir& scratch;
  std::vector<report> reports;
  std::vector<target> targets;

  void show(report rep) {
    std::fputs(o.json ? (rep.json() + "\n").c_str() : (rep.table() + "\n").c_str(), stdout);
    std::fflush(stdout);
    reports.push_back(std::move(rep));
  }
  void check(std::string name, target::bound kind, double limit, std::optional<double> value,
             std::string note = {}) {
    targets.push_back({std::move(name), kind, limit, value, std::move(note)});
  }
  // A WAL run in its own directory under the scratch dir, removed after it.
  result<report> wal(const wal_options& w, const std::string& name) {
    RV_ASSIGN(auto dir, scratch_dir::open(scratch.path() + "/" + name));
    return measure_wal(w, dir);
  }
  // A pipeline run in its own directory under the scratch dir.
  result<pipeline_run> pipeline(pipeline_options p, const std::string& name) {
    p.data_dir = scratch.path() + "/" + name;
    p.raw_disk = !o.quick;
    RV_ASSIGN(auto run, run_pipeline(p));
    if (auto outcome = run.outcome(); !outcome) return outcome.error().with_context("pipeline run " + name);
    return run;
  }
};

std::optional<double> maybe(const report& rep, const std::string& key) { return rep.value(key); }

double value_or_zero(const report& rep, const std::string& key) { return rep.value(key).value_or(0); }

status run_all(all_run& all) {
  const bool quick = all.o.quick;
  const double duration = quick ? 0.6 : all.o.duration;

  // 1. Ceilings, with the durable writes of one 256-byte append's WAL bytes.
  pipeline_options one;
  one.producers = 1;
  one.duration = duration;
  RV_ASSIGN(auto codec, make_bench_codec(one.cipher));
  RV_ASSIGN(const std::uint64_t record_bytes, append_record_bytes(*codec, one));
  ceiling_plan plan;
  plan.block = record_bytes;
  plan.seconds_each = quick ? 0.05 : 0.5;
  RV_ASSIGN(const ceilings ceil, measure_ceilings(all.scratch, plan));
  {
    report rep("ceiling: durable writes of one 256 B append (" + std::to_string(record_bytes) + " B), 1 core");
    rep.add_json("bench", "ceiling");
    add_ceilings(rep, ceil);
    all.show(std::move(rep));
  }
  const auto* best = ceil.best_durable();
  const double best_p50 = best ? to_micros(best->run.write_and_sync.percentile(50)) : 0;
  const double sequential = ceil.sequential ? ceil.sequential->mb_per_sec() : 0;
  const auto* xchacha = ceil.cipher(cipher_choice::xchacha20poly1305);

  // 2. The WAL engine: fsync'd 4 KiB saves against the sequential bandwidth, and sealing.
  wal_options wal;
  wal.size = 4096;
  wal.batch = 256;
  wal.entries = quick ? 2048 : 65536;
  RV_ASSIGN(auto wal_sync, all.wal(wal, "wal-sync"));
  wal_sync.add("mb_per_sec_vs_ceiling", "throughput / ceiling sequential write",
               fraction_of(value_or_zero(wal_sync, "mb_per_sec"), sequential), 2, "x");
  all.show(std::move(wal_sync));
  wal.sync = false;
  wal.cipher = cipher_choice::xchacha20poly1305;
  wal.entries = quick ? 4096 : 131072;
  RV_ASSIGN(auto wal_sealed, all.wal(wal, "wal-sealed"));
  wal_sealed.add("seal_vs_ceiling", "sealing alone / ceiling seal, 1 core",
                 fraction_of(value_or_zero(wal_sealed, "seal_mb_per_sec"), xchacha ? xchacha->seal_mb_per_sec : 0), 2, "x");
  all.show(std::move(wal_sealed));

  // 3. The pipeline: one producer, then 64.
  RV_ASSIGN(auto p1, all.pipeline(one, "pipeline-1"));
  report r1 = make_pipeline_report(one, p1.measurement, "");
  const double p1_p50 = value_or_zero(r1, "latency_p50_us");
  r1.add("latency_p50_vs_ceiling_best_durable_p50", "p50 / ceiling best durable write p50",
         fraction_of(p1_p50, best_p50), 2, "x");
  for (const auto& d : ceil.durable)
    r1.add_json(std::string("latency_p50_vs_ceiling_") + to_string(d.io) + "_p50",
                fraction_of(p1_p50, to_micros(d.run.write_and_sync.percentile(50))), 2);
  const double e1 = value_or_zero(r1, "entries_per_sec");
  all.check("(b) 1 producer p50 / best raw durable write p50 (" + std::string(best ? to_string(best->io) : "none") + ")",
            target::bound::at_most, 1.3, best_p50 > 0 ? std::optional<double>(p1_p50 / best_p50) : std::nullopt,
            "no durable write measured");
  all.show(std::move(r1));

  pipeline_options many = one;
  many.producers = 64;
  RV_ASSIGN(auto p64, all.pipeline(many, "pipeline-64"));
  report r64 = make_pipeline_report(many, p64.measurement, "");
  const double e64 = value_or_zero(r64, "entries_per_sec");
  r64.add("entries_per_sec_vs_one_producer", "entries/s / 1 producer's", fraction_of(e64, e1), 2, "x");
  all.check("(a) 64 producers / 1 producer, entries/s", target::bound::at_least, 20,
            e1 > 0 ? std::optional<double>(e64 / e1) : std::nullopt, "no entry acknowledged with 1 producer");
  all.check("(a) 64-producer p99 / WAL fdatasync p99 (during the load)", target::bound::at_most, 4,
            maybe(r64, "latency_p99_vs_wal_fdatasync_p99"));
  all.show(std::move(r64));

  // 4. Overload: an open loop far above what 64 producers reached; memory must stay bounded.
  pipeline_options flood = one;
  flood.producers = 4;
  flood.rate = std::max(20 * e64, 100000.0);
  flood.duration = quick ? 0.6 : std::max(2.0, duration / 2);
  RV_ASSIGN(auto over, all.pipeline(flood, "overload"));
  report ro = make_pipeline_report(flood, over.measurement, "");
  all.check("overload: peak RSS MiB (limit: max-inflight-bytes + 64 MiB)", target::bound::at_most,
            value_or_zero(ro, "rss_limit_mib"), maybe(ro, "peak_rss_mib"));
  all.show(std::move(ro));

  // 5. DEK rotations under load, with snapshots (the CSV's time series).
  pipeline_options rot = one;
  rot.producers = 64;
  rot.duration = quick ? 1.5 : std::max(4.0, duration + 2.5);
  rot.rotate_at = quick ? 0.4 : 1.0;
  rot.rotations = quick ? 2 : 12;
  rot.snapshot_every = quick ? 0.5 : 1.0;
  rot.csv_file = all.o.csv_file;
  RV_ASSIGN(auto rotated, all.pipeline(rot, "rotation"));
  report rr = make_pipeline_report(rot, rotated.measurement, "");
  all.check("(d) failed appends during rotations", target::bound::at_most, 0, maybe(rr, "failed_appends"));
  all.check("(d) throughput during rotations / between them", target::bound::at_least, 0.75,
            maybe(rr, "rotation_window_throughput_ratio"));
  all.show(std::move(rr));

  // 6. A restart of an encrypted store.
  recovery_options rec;
  rec.store_size = quick ? (4ull << 20) : all.o.store_size;
  rec.cold = !quick;  // dropping the page cache slows everything else on the machine
  RV_ASSIGN(auto recovered, measure_recovery(all.scratch, rec));
  report rv("recovery: open + read all of " + std::to_string(recovered.payload_bytes) + " B, xchacha20poly1305");
  rv.add_json("bench", "recovery");
  add_recovery(rv, rec, recovered);
  all.check("recovery warm / (open ceiling x workers)", target::bound::at_least, 0.7,
            maybe(rv, "recovery_warm_vs_ceiling"));
  all.show(std::move(rv));

  all.check("secretbox: raftvault / etcd + secretbox, no fsync", target::bound::at_least, 3, std::nullopt,
            "needs etcd's WAL in the same run (not part of this harness yet)");
  return {};
}

}  // namespace

int run_all_bench(const all_options& o) {
  auto fail = [](const error& e) {
    std::fprintf(stderr, "raftvault-bench all: %s\n", e.describe().c_str());
    return 1;
  };
  auto scratch = scratch_dir::open(o.data_dir);
  if (!scratch) return fail(scratch.error());
  all_run all{o, *scratch, {}, {}};
  const status ran = run_all(all);
  std::string targets_json = "[";
  if (!o.json) std::printf("== targets (value / limit: >= 1 is good for a floor, <= 1 for a ceiling)\n");
  for (std::size_t i = 0; i < all.targets.size(); ++i) {
    if (!o.json) std::printf("%s\n", all.targets[i].line().c_str());
    targets_json += (i ? ", " : "") + all.targets[i].json();
  }
  targets_json += "]";
  if (o.json) std::printf("{\"bench\": \"targets\", \"targets\": %s}\n", targets_json.c_str());
  if (!o.json_file.empty()) {
    std::string runs = "[";
    for (std::size_t i = 0; i < all.reports.size(); ++i) runs += (i ? ",\n  " : "") + all.reports[i].json();
    runs += "]";
    const std::string text = "{\"bench\": \"all\", \"quick\": " + std::string(o.quick ? "true" : "false") +
                             ",\n \"runs\": " + runs + ",\n \"targets\": " + targets_json + "}\n";
    if (auto written = write_text_file(o.json_file, text); !written) return fail(written.error());
  }
  if (!ran) return fail(ran.error());
  return 0;
}

}  // namespace raftvault::bench
