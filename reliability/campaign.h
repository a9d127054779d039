// One fault campaign of raftvault-campaign: a function that runs its cases against real stores
// and records each case's outcome in a results table. Campaigns register themselves (one .cpp
// file each) so that adding one touches no shared file.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace raftvault::reliability {

enum class run_mode { smoke, long_run };

struct campaign_options {
  run_mode mode = run_mode::smoke;
  std::string out_dir;        // where the campaign writes its table (created if missing)
  std::string bin_dir;        // where the raftvault binaries are (raftvault, raftvault-bench)
  std::string scratch_dir;    // where it may create stores (a fresh temporary directory)
  std::uint64_t seed = 1;     // every random choice derives from it: a run can be replayed
};

// The outcome of one case. `ok` false is a violation of the promise the campaign checks.
struct case_outcome {
  std::string name;     // what was done, e.g. "flip bit 3 of byte 63 of node.key"
  std::string outcome;  // what happened, e.g. "refused: MAC mismatch (node.key)"
  bool ok = true;
};

struct campaign_result {
  std::vector<case_outcome> cases;
  // Counts by outcome class ("identical", "torn tail repaired", "refused", ...), in the order
  // first seen; the table's summary.
  std::vector<std::pair<std::string, std::uint64_t>> classes;
  // `count` > 1: one row standing for that many cases with the same outcome class (a campaign
  // of a million cases keeps its table and memory small); its name says which.
  void add(case_outcome c, const std::string& outcome_class, std::uint64_t count = 1);
  std::uint64_t violations() const;
  std::uint64_t case_count() const;  // cases, counting each row's `count`
};

using campaign_fn = campaign_result (*)(const campaign_options&);

struct campaign_registration {
  campaign_registration(const char* name, const char* summary, campaign_fn run);
};

struct registered_campaign {
  const char* name;
  const char* summary;
  campaign_fn run;
};
const std::vector<registered_campaign>& campaigns();

}  // namespace raftvault::reliability
