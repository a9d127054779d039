// The powercut campaign (reliability/README.md, "powercut"): power loss, the gap kill -9 cannot
// reach because the page cache survives it. Seeded workloads run the actor pipeline under a
// durability recording; each cut replays the recording up to a point into a tree that keeps
// only what fsyncs made durable (fileio/power_cut.h), reopens it and checks everything
// acknowledged before the cut (powercut_check.h).
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>

#include "fileio/file.h"
#include "fileio/power_cut.h"
#include "reliability/campaign.h"
#include "reliability/powercut_check.h"
#include "reliability/powercut_workload.h"

namespace raftvault::reliability::powercut {
namespace {

using fileio::durability_op;

struct plan {
  std::size_t workloads = 2;
  std::size_t cuts_per_workload = 160;
  std::size_t restart_every = 10;  // every Nth cut also restarts the pipeline and rotates
  std::size_t control_steps = 9;
  std::size_t saved_reproducers = 5;
};

plan plan_for(run_mode mode) {
  plan p;
  if (mode == run_mode::long_run) {
    p.workloads = 10;
    p.cuts_per_workload = 1100;
    p.restart_every = 16;
    p.control_steps = 16;
  }
  return p;
}

workload_shape shape_for(std::size_t workload, const plan& p) {
  workload_shape s;
  s.producers = 1 + workload % 4;
  s.segment_size = std::uint64_t{64 << 10} << (workload % 3 == 2 ? 1 : 0);
  s.direct_io = workload % 2 == 0;
  s.control_steps = p.control_steps;
  return s;
}

bool is_sync(const durability_op& o) {
  return o.what == durability_op::kind::sync_file || o.what == durability_op::kind::sync_dir;
}

// Where to cut, `count` times: just before and just after every sync, the end, and random
// points between; spread evenly over them when there are more, several cuts (with other
// choices) at each when there are fewer.
std::vector<std::size_t> cut_positions(const fileio::durability_recording& rec, std::size_t count,
                                       std::mt19937_64& random) {
  std::vector<std::size_t> at;
  for (std::size_t j = rec.baseline; j < rec.ops.size(); ++j)
    if (is_sync(rec.ops[j])) at.insert(at.end(), {j, j + 1});
  std::uniform_int_distribution<std::size_t> anywhere(rec.baseline, rec.ops.size());
  for (std::size_t k = 0; k < count / 4; ++k) at.push_back(anywhere(random));
  at.push_back(rec.ops.size());
  std::sort(at.begin(), at.end());
  at.erase(std::unique(at.begin(), at.end()), at.end());
  std::vector<std::size_t> out;
  for (std::size_t k = 0; k < count; ++k) out.push_back(at[k * at.size() / count]);
  return out;
}

// The kernel's choices for cut number `k`: every combination in turn.
fileio::cut_choices choices_for(std::size_t k, std::uint64_t seed) {
  static const fileio::unsynced_names names[] = {fileio::unsynced_names::none, fileio::unsynced_names::all,
                                                 fileio::unsynced_names::prefix, fileio::unsynced_names::subset};
  static const fileio::unsynced_data data[] = {fileio::unsynced_data::none, fileio::unsynced_data::all,
                                               fileio::unsynced_data::torn, fileio::unsynced_data::scattered};
  return {names[k % 4], data[(k / 4) % 4], seed};
}

std::string describe_kept(const fileio::cut_summary& s) {
  return "kept " + std::to_string(s.names_kept) + "/" + std::to_string(s.names_pending) +
         " unsynced names, " + std::to_string(s.writes_kept) + "/" + std::to_string(s.writes_pending) +
         " unsynced writes" + (s.writes_torn ? " (" + std::to_string(s.writes_torn) + " torn)" : "");
}

// Where cuts are materialised and reopened: tmpfs when there is one. The workload ran on the
// scratch disk with real fsyncs; a cut's check tests recovery, and there the fsyncs of a
// reopen only cost time.
std::string cut_area(const campaign_options& options) {
  const std::string shm = "/dev/shm/raftvault-powercut-" + std::to_string(::getpid());
  std::error_code ec;
  if (std::filesystem::create_directory(shm, ec) && !ec) {
    std::filesystem::permissions(shm, std::filesystem::perms::owner_all, ec);
    return shm;
  }
  return options.scratch_dir;
}

campaign_result run(const campaign_options& options) {
  campaign_result result;
  const plan p = plan_for(options.mode);
  const std::string area = cut_area(options);
  std::size_t saved = 0;
  for (std::size_t w = 0; w < p.workloads; ++w) {
    const std::uint64_t seed = options.seed * 1000 + w;
    const std::string root = options.scratch_dir + "/workload-" + std::to_string(w);
    std::filesystem::create_directories(root);
    std::filesystem::permissions(root, std::filesystem::perms::owner_all);
    const auto run = run_workload(root, seed, shape_for(w, p));
    const std::string label = "w" + std::to_string(w) + " (seed " + std::to_string(seed) + ")";
    if (!run.failure.empty()) {
      result.add({label + " workload", run.failure, false}, "VIOLATION: the workload itself failed");
      continue;
    }
    result.add({label + " workload", run.summary, true}, "workload recorded");
    std::filesystem::remove_all(root);

    std::mt19937_64 random(seed);
    fileio::power_cut_replay replay(run.recording);
    const auto positions = cut_positions(run.recording, p.cuts_per_workload, random);
    for (std::size_t k = 0; k < positions.size(); ++k) {
      replay.advance_to(positions[k]);
      const auto choices = choices_for(k, seed * 1000003u + positions[k]);
      const std::string cut_dir = area + "/cut";
      fileio::cut_summary kept;
      const std::string name = label + " cut " + std::to_string(positions[k]) + "/" +
                               std::to_string(run.recording.ops.size()) + " after " +
                               replay.describe_last() + "; names " + to_string(choices.names) +
                               ", data " + to_string(choices.data);
      if (auto made = replay.materialise(cut_dir, choices, &kept); !made) {
        result.add({name, made.error().describe(), false}, "VIOLATION: cannot materialise the cut");
        continue;
      }
      const bool restart = p.restart_every > 0 && k % p.restart_every == p.restart_every - 1;
      auto verdict = check_cut(cut_dir, run, positions[k], restart, kept,
                               choices.data == fileio::unsynced_data::scattered);
      std::filesystem::remove_all(cut_dir);
      if (verdict.ok && verdict.outcome_class == kRefusedOutOfOrder) {
        // The same cut (same names) without any unsynced write must hold everything acknowledged.
        fileio::cut_summary durable_only;
        const fileio::cut_choices without{choices.names, fileio::unsynced_data::none, choices.seed};
        if (auto made = replay.materialise(cut_dir, without, &durable_only); !made) {
          verdict = {false, "VIOLATION: cannot materialise the cut", made.error().describe()};
        } else if (auto proof = check_cut(cut_dir, run, positions[k], false, durable_only, false); !proof.ok) {
          verdict = {false, proof.outcome_class, proof.detail + " (without the unsynced writes)"};
        }
        std::filesystem::remove_all(cut_dir);
      }
      if (!verdict.ok && saved < p.saved_reproducers) {
        // The cut as the check found it, before any repair, for replaying by hand.
        const std::string copy = options.out_dir + "/powercut-repro/" + label.substr(0, label.find(' ')) +
                                 "-cut-" + std::to_string(positions[k]);
        std::filesystem::create_directories(options.out_dir + "/powercut-repro");
        std::filesystem::remove_all(copy);
        if (replay.materialise(copy, choices, nullptr)) {
          // The run's unlock keys (random test keys), beside the store: it may be locked.
          std::ofstream keys(copy + "/unlock-keys.txt");
          for (const auto& key : run.unlock_keys) keys << key << "\n";
          ++saved;
        }
      }
      const std::string found = verdict.detail.empty() ? "" : ": " + verdict.detail;
      result.add({name, verdict.outcome_class + found + "; " + describe_kept(kept), verdict.ok},
                 verdict.outcome_class);
    }
  }
  if (area != options.scratch_dir) std::filesystem::remove_all(area);
  return result;
}

const campaign_registration kRegistration{
    "powercut", "power cuts at every sync and between: only what was fsynced survives", run};

}  // namespace
}  // namespace raftvault::reliability::powercut
