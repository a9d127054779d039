// What the kill -9 and disk-fault campaigns' cases share: the binaries, the load, a store with
// data the cases start from, and an exported copy of it that import cases read
// (reliability/README.md, "kill" and "faults").
#pragma once

#include <map>
#include <string>

#include "raftlog/encrypted_log.h"
#include "reliability/campaign.h"
#include "reliability/kill_store_check.h"

namespace raftvault::reliability {

struct kill_context {
  campaign_options options;
  bench_load load;
  std::string bench;      // raftvault-bench
  std::string raftvault;  // raftvault
  std::string template_store;  // written by the bench (rotations done, segments cut)
  std::string template_acks;   // its ack log
  raftlog::recovered_state template_content;
  std::string export_dir;  // `raftvault export` of the template: OUT/wal + OUT/snap
  raftlog::recovered_state export_content;
  std::map<std::string, std::string> export_files;
  std::string reproducers = "kill-reproducers";  // under the output directory
  int cases = 0;

  // A fresh directory for the next case under the scratch directory.
  std::string new_case_dir();
  // A copy of the template store and its ack log in `case_dir` (store/, acks).
  status copy_template(const std::string& case_dir) const;
  // Keeps a violating case's directory (store, ack log, the children's output) under
  // OUT/<reproducers>/ and says where.
  std::string keep_reproducer(const std::string& case_dir) const;
};

// Builds the template store and its export; errors name the step.
result<kill_context> prepare_kill_context(const campaign_options& options);

// Appends one case to `result`, keeping the case directory when it is a violation.
void record_case(const kill_context& ctx, campaign_result& result, const std::string& name,
                 verdict v, const std::string& case_dir);

// (a) a crash at every named crash point (kill_crash_points.h).
void run_crash_point_cases(kill_context& ctx, campaign_result& result);
// (b) SIGKILL at seeded random times under load, on one store restarted after each kill.
void run_random_kills(kill_context& ctx, campaign_result& result);

}  // namespace raftvault::reliability
