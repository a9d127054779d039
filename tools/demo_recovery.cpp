// Step 4 of the demo: reopen after the SIGKILL and compare every acknowledged entry with what
// the restart path recovered (in the log byte for byte, or covered by the snapshot).
#include <algorithm>
#include <map>

#include "tools/args.h"
#include "tools/demo_phases.h"
#include "tools/demo_report.h"
#include "tools/demo_workload.h"
#include "tools/report.h"

namespace raftvault::cli::demo {
namespace {

recovery_tally tally_acknowledged(const actors::recovered_state& recovered, const acked_batches& acked) {
  const std::uint64_t snap_index = recovered.snap ? recovered.snap->metadata.index : 0;
  std::map<std::uint64_t, const entry*> by_index;
  for (const auto& e : recovered.entries) by_index[e.index] = &e;
  recovery_tally tally;
  for (const auto& [first, batch] : acked) {
    for (std::uint64_t i = first; i <= batch.last; ++i) {
      tally.highest = std::max(tally.highest, i);
      if (i <= snap_index) {
        ++tally.in_snapshot;
        continue;
      }
      auto it = by_index.find(i);
      if (it == by_index.end() || it->second->term != batch.term ||
          it->second->data != entry_payload(i, batch.term, 256)) {
        if (tally.first_loss.empty()) tally.first_loss = "index " + std::to_string(i);
        ++tally.lost;
        continue;
      }
      ++tally.checked;
    }
  }
  return tally;
}

}  // namespace

int check_recovery(const demo_config& config, const acked_batches& acked, actors::storage_status& final_status) {
  auto opened = actors::blocking_storage::open(options_for(config));
  if (!opened) return fail(opened.error(), config.dir);
  auto recovered = (*opened)->recover();
  if (!recovered) return fail(recovered.error(), config.dir);
  const recovery_tally tally = tally_acknowledged(*recovered, acked);
  const std::uint64_t snap_index = recovered->snap ? recovered->snap->metadata.index : 0;
  if (recovered->snap && recovered->snap->data != snapshot_payload(snap_index)) {
    return fail("demo: the recovered snapshot at " + std::to_string(snap_index) + " has the wrong contents");
  }
  print_recovery(*recovered, tally);
  auto st = (*opened)->status_report();
  if (!st) return fail(st.error(), config.dir);
  final_status = *st;
  if (auto closed = (*opened)->close(); !closed) return fail(closed.error(), config.dir);
  if (tally.lost != 0)
    return fail("demo: " + std::to_string(tally.lost) + " acknowledged entries were lost, first " + tally.first_loss);
  return kExitOk;
}

}  // namespace raftvault::cli::demo
