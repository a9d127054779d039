#include "bench/pipeline_report.h"

#include <algorithm>

namespace raftvault::bench {
namespace {

double ratio(double a, double b) { return b > 0 ? a / b : 0; }

// Smallest, median and largest of `values` (0 when empty).
struct spread {
  double min = 0, median = 0, max = 0;
};
spread spread_of(std::vector<double> values) {
  if (values.empty()) return {};
  std::sort(values.begin(), values.end());
  return {values.front(), values[values.size() / 2], values.back()};
}

}  // namespace

report make_pipeline_report(const pipeline_options& o, const pipeline_measurement& m,
                            const std::string& kept_dir) {
  const double entries_per_sec = ratio(static_cast<double>(m.entries), m.seconds);
  const double mb_per_sec = entries_per_sec * static_cast<double>(o.size) / 1e6;
  const double p50 = to_micros(m.latency.percentile(50));
  const double p99 = to_micros(m.latency.percentile(99));
  const double raw_ws_p50 = to_micros(m.raw.write_and_sync.percentile(50));
  const double raw_sync_p99 = to_micros(m.raw.sync_only.percentile(99));
  report rep("raftvault-bench pipeline: " +
             (o.rate > 0 ? "open loop at " + std::to_string(static_cast<std::uint64_t>(o.rate)) + " appends/s over " : std::string()) +
             std::to_string(o.producers) + (o.rate > 0 ? " senders, " : " producers, ") +
             std::to_string(o.batch) + " x " + std::to_string(o.size) + " B per append, cipher " +
             to_string(o.cipher) + ", fdatasync on");
  rep.add_json("bench", "pipeline")
      .add_json("producers", o.producers)
      .add_json("size", o.size)
      .add_json("batch", o.batch)
      .add_json("cipher", to_string(o.cipher))
      .add_json("duration", o.duration, 3)
      .add_json("segment_size", o.segment_size)
      .add_json("mode", o.rate > 0 ? "open-loop" : "closed-loop")
      .add("seconds", "measured", m.seconds, 3, "s")
      .add("entries_per_sec", "entries/s", entries_per_sec, 0)
      .add("appends_per_sec", "appends/s", ratio(static_cast<double>(m.appends), m.seconds), 0)
      .add("mb_per_sec", "throughput", mb_per_sec, 1, "MB/s")
      .add("latency_p50_us", "append p50", p50, 1, "us")
      .add("latency_p90_us", "append p90", to_micros(m.latency.percentile(90)), 1, "us")
      .add("latency_p99_us", "append p99", p99, 1, "us")
      .add("latency_p999_us", "append p99.9", to_micros(m.latency.percentile(99.9)), 1, "us")
      .add("latency_max_us", "append max", to_micros(m.latency.max()), 1, "us")
      .add("failed_appends", "failed appends", m.failed_appends)
      .add("lowest_failed_index", "lowest index of a failed append", m.lowest_failed_index)
      .add("groups", "WAL fdatasyncs", m.groups)
      .add("appends_per_group", "appends/fdatasync",
           ratio(static_cast<double>(m.group_appends), static_cast<double>(m.groups)), 1)
      .add("group_lingers", "groups that lingered", m.group_lingers)
      .add("idle_zeroings", "zeros ahead written between groups", m.idle_zeroings)
      .add_json("half_groups", m.half_groups)
      .add("group_disk_us", "groups: a group's disk time", m.group_disk_us, 0, "us")
      .add("group_appends_in_cycle", "groups: appends in flight", m.group_appends_in_cycle, 1)
      .add("group_round_trip_us", "groups: round trip (auto)", m.group_round_trip_us, 0, "us")
      .add("appends_per_handover", "appends/hand-over to the WAL writer",
           ratio(static_cast<double>(m.group_appends), static_cast<double>(m.handovers)), 1)
      .add("wal_fdatasync_p50_us", "WAL fdatasync p50", to_micros(m.wal_sync.percentile(50)), 1, "us")
      .add("wal_fdatasync_p99_us", "WAL fdatasync p99", to_micros(m.wal_sync.percentile(99)), 1, "us")
      // Against the disk's fdatasyncs during the load (the WAL writer's): the raw runs before
      // and after it can land in another phase of a shared disk.
      .add("latency_p99_vs_wal_fdatasync_p99", "p99 / WAL fdatasync p99 (during the load)",
           ratio(p99, to_micros(m.wal_sync.percentile(99))), 2, "x")
      .add_json("wal_direct_io", m.wal_direct_io);
  if (o.raw_disk) {
    rep.add("raw_record_bytes", "raw: block", m.record_bytes, "B")
      .add("raw_blocks", "raw: blocks", m.raw.blocks)
      .add("raw_mb_per_sec", "raw: throughput", m.raw.mb_per_sec(), 1, "MB/s")
      .add("raw_write_fdatasync_p50_us", "raw: write+fdatasync p50", raw_ws_p50, 1, "us")
      .add("raw_write_fdatasync_p99_us", "raw: write+fdatasync p99",
           to_micros(m.raw.write_and_sync.percentile(99)), 1, "us")
      .add("fdatasync_p50_us", "raw: fdatasync p50", to_micros(m.raw.sync_only.percentile(50)), 1, "us")
      .add("fdatasync_p99_us", "raw: fdatasync p99", raw_sync_p99, 1, "us")
      .add("latency_p50_vs_raw_write_fdatasync_p50", "p50 / raw write+fdatasync p50",
           ratio(p50, raw_ws_p50), 2, "x")
      .add("latency_p99_vs_fdatasync_p99", "p99 / raw fdatasync p99", ratio(p99, raw_sync_p99), 2, "x")
      .add("mb_per_sec_vs_raw", "throughput / raw", ratio(mb_per_sec, m.raw.mb_per_sec()), 2, "x");
  }
  if (m.raw_direct) {
    const auto& d = *m.raw_direct;
    const double direct_ws_p50 = to_micros(d.write_and_sync.percentile(50));
    rep.add("raw_direct_mb_per_sec", "raw O_DIRECT: throughput", d.mb_per_sec(), 1, "MB/s")
        .add("raw_direct_write_fdatasync_p50_us", "raw O_DIRECT: write+fdatasync p50",
             direct_ws_p50, 1, "us")
        .add("raw_direct_fdatasync_p99_us", "raw O_DIRECT: fdatasync p99",
             to_micros(d.sync_only.percentile(99)), 1, "us")
        .add("latency_p50_vs_raw_direct_write_fdatasync_p50",
             "p50 / raw O_DIRECT write+fdatasync p50", ratio(p50, direct_ws_p50), 2, "x")
        .add("mb_per_sec_vs_raw_direct", "throughput / raw O_DIRECT",
             ratio(mb_per_sec, d.mb_per_sec()), 2, "x");
  }
  if (m.rotation) {
    const auto& r = *m.rotation;
    // What a rotation costs in all, whatever its length: the entries the windows fell short
    // of the rate between rotations, per rotation, and as milliseconds of that rate.
    const double window_seconds = r.mean_seconds * static_cast<double>(r.count);
    const double lost = r.count ? (r.before_rate * window_seconds - static_cast<double>(r.window_entries)) /
                                      static_cast<double>(r.count)
                                : 0;
    rep.add_json("rotation_ok", r.ok)
        .add("rotations", "rotations", r.count)
        .add("rotation_ms", "rotation (longest)", r.seconds * 1e3, 1, "ms")
        .add("rotation_mean_ms", "rotation (mean)", r.mean_seconds * 1e3, 1, "ms")
        .add("rotation_drain_ms", "rotation: to barrier", r.drain_seconds * 1e3, 1, "ms")
        .add("rotation_snapshot_ms", "rotation: snapshot + retire", r.snapshot_seconds * 1e3, 1, "ms")
        .add("rotation_window_entries", "rotation: entries in windows", r.window_entries)
        .add("rotation_before_entries_per_sec", "rotation: entries/s before", r.before_rate, 0)
        .add("rotation_window_entries_per_sec", "rotation: entries/s during", r.window_rate, 0)
        .add("rotation_window_throughput_ratio", "rotation: during / before",
             ratio(r.window_rate, r.before_rate), 2, "x")
        .add("rotation_lost_entries", "rotation: entries short, each", lost, 0)
        .add("rotation_lost_ms", "rotation: the same at the rate before",
             r.before_rate > 0 ? lost / r.before_rate * 1e3 : 0, 2, "ms")
        .add("rotation_control_throughput_ratio", "control: same windows, no rotation",
             ratio(r.control_rate, r.before_rate), 2, "x")
        .add_json("rotation_window_ratio_min", spread_of(r.window_ratios).min, 2)
        .add("rotation_window_ratio_median", "rotation: one window, median",
             spread_of(r.window_ratios).median, 2, "x")
        .add_json("rotation_window_ratio_max", spread_of(r.window_ratios).max, 2)
        .add_json("rotation_control_ratio_min", spread_of(r.control_ratios).min, 2)
        .add("rotation_control_ratio_median", "control: one window, median",
             spread_of(r.control_ratios).median, 2, "x")
        .add_json("rotation_control_ratio_max", spread_of(r.control_ratios).max, 2)
        .add_json("rotation_old_id", std::uint64_t{r.old_id})
        .add_json("rotation_new_id", std::uint64_t{r.new_id})
        .add_json("rotation_last_old", r.last_old)
        .add_json("rotation_snapshot_index", r.snapshot_index)
        .add_json("snapshot_size", o.snapshot_size);
  }
  if (m.open_loop) {
    const auto& l = *m.open_loop;
    // What the overload check allows: the appends in flight plus a fixed allowance for the
    // process itself (libraries, actor system, histograms).
    const double limit_mib = static_cast<double>(m.max_inflight_bytes) / (1 << 20) + 64;
    rep.add("rate", "open loop: offered appends/s", o.rate, 0)
        .add("sent_appends", "open loop: appends sent", l.sent)
        .add("backlog_appends", "open loop: due and never sent", l.backlog)
        .add("held_appends", "open loop: held for max-inflight-bytes", l.held)
        .add("max_send_lag_us", "open loop: latest send after its time", l.max_send_lag_us, 1, "us")
        .add("rss_limit_mib", "RSS limit (max-inflight-bytes + 64 MiB)", limit_mib, 1, "MiB")
        .add_json("rss_within_limit", m.peak_rss_mib <= limit_mib);
  }
  rep.add("peak_rss_mib", "peak RSS", m.peak_rss_mib, 1, "MiB");
  if (o.snapshot_every > 0) {
    rep.add("snapshots", "snapshots", m.snapshots)
        .add("snapshot_p50_ms", "snapshot p50", to_micros(m.snapshot_latency.percentile(50)) / 1e3, 2, "ms")
        .add("snapshot_max_ms", "snapshot max", to_micros(m.snapshot_latency.max()) / 1e3, 2, "ms");
  }
  if (!m.store_failure.empty()) rep.add_json("store_failure", m.store_failure);
  if (!kept_dir.empty()) rep.add_json("data_dir", kept_dir);
  return rep;
}

}  // namespace raftvault::bench
