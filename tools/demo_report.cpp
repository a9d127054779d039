#include "tools/demo_report.h"

#include <unistd.h>

#include <climits>
#include <iostream>
#include <sstream>

#include "tools/progress.h"
#include "tools/table.h"

namespace raftvault::cli::demo {
namespace {

std::string rate(double value, const char* unit) {
  return thousands(static_cast<std::uint64_t>(value)) + " " + unit;
}

std::string self_path() {
  char buf[PATH_MAX];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return "raftvault";
  return std::string(buf, static_cast<std::size_t>(n));
}

}  // namespace

std::string ms(std::uint64_t us) {
  std::ostringstream out;
  out.precision(us < 10000 ? 2 : 0);
  out << std::fixed << us / 1000.0 << " ms";
  return out.str();
}

std::string generations(const actors::storage_status& s) {
  std::string g;
  for (auto k : s.key_generations) g += (g.empty() ? "" : ",") + std::to_string(k);
  return "DEK generation " + std::to_string(s.sealing_generation) + " (held: " + g + "), kek-version " +
         std::to_string(s.kek_version) + ", rotation state " + s.rotation_state;
}

void print_load(const load_stats& stats, const actors::storage_status& status) {
  key_value_list rows;
  rows.add("appended", thousands(stats.entries) + " entries (" + human_bytes(double(stats.bytes)) + ") in " +
                           thousands(stats.appends) + " appends over " + std::to_string(stats.seconds).substr(0, 4) + " s")
      .add("throughput", rate(stats.entries / stats.seconds, "entries/s") + ", " +
                             human_bytes(stats.bytes / stats.seconds) + "/s of payload")
      .add("latency", "p50 " + ms(percentile(stats.latency_us, 0.5)) + ", p99 " +
                          ms(percentile(stats.latency_us, 0.99)) + ", max " +
                          ms(stats.latency_us.empty() ? 0 : stats.latency_us.back()) +
                          "  (append sent -> reply after fdatasync)")
      .add("group commit", status.fsync_groups ? std::to_string(status.durable_appends / status.fsync_groups) +
                                                     " appends per fdatasync (" + thousands(status.fsync_groups) + " fdatasyncs)"
                                               : "-")
      .add("snapshots", std::to_string(stats.snapshots) + " periodic");
  rows.print(std::cout, "     ");
}

void print_recovery(const actors::recovered_state& recovered, const recovery_tally& tally) {
  const std::uint64_t snap_index = recovered.snap ? recovered.snap->metadata.index : 0;
  const std::uint64_t last = recovered.entries.empty() ? snap_index : recovered.entries.back().index;
  std::cout << "4. reopened after the crash (the WAL's torn tail, if any, repaired):\n";
  key_value_list rows;
  rows.add("recovered", "snapshot at index " + std::to_string(snap_index) + " + " +
                            thousands(recovered.entries.size()) + " entries (through index " + std::to_string(last) +
                            "), hard state term " + std::to_string(recovered.state.term) + " commit " +
                            std::to_string(recovered.state.commit))
      .add("acknowledged", thousands(tally.checked + tally.in_snapshot + tally.lost) +
                               " entries acknowledged to the killed writer (through index " +
                               std::to_string(tally.highest) + ")")
      .add("checked", thousands(tally.checked) + " byte for byte in the log, " + thousands(tally.in_snapshot) +
                          " covered by the snapshot, " + std::to_string(tally.lost) + " lost")
      .add("unacknowledged", thousands(last > tally.highest ? last - tally.highest : 0) +
                                 " more entries were durable but not yet acknowledged when the process died");
  rows.print(std::cout, "     ");
}

void print_summary(const demo_config& config, const actors::storage_status& before,
                   const actors::storage_status& final_status, double seconds) {
  std::cout << "\nkey generations  before: " << generations(before) << "\n"
            << "                 after:  " << generations(final_status) << "\n"
            << "done in " << std::to_string(seconds).substr(0, 4) << " s. Next, try:\n";
  const std::string bin = self_path();
  const std::string flags = " --data-dir " + config.dir + " --unlock-key-file " + config.key_file;
  std::cout << "  " << bin << " status" << flags << "\n"
            << "  " << bin << " dump" << flags << " --from " << (final_status.last_index > 5 ? final_status.last_index - 5 : 0) << "\n"
            << "  " << bin << " verify" << flags << "\n"
            << "  RAFTVAULT_UNLOCK_KEY=$(cat " << config.key_file << ") " << bin << " dump --json --data-dir " << config.dir << "\n";
}

}  // namespace raftvault::cli::demo
