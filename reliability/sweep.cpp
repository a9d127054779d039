// Campaign `sweep` (reliability/README.md): every store kind damaged every way the plan lists,
// each case read as a restart reads it, in process (fast) and isolated in a child process (a
// crash or a hang is a case, not the end of the run); a sample checked again through the real
// binary and the real restart.
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <random>
#include <set>

#include "fileio/file.h"
#include "reliability/campaign.h"
#include "reliability/sweep_case.h"
#include "reliability/sweep_isolation.h"
#include "reliability/sweep_plan.h"
#include "reliability/sweep_spot_check.h"
#include "reliability/sweep_stores.h"

namespace raftvault::reliability {
namespace {

constexpr double kCaseTimeoutSeconds = 20;

struct spot {
  const mutation* damage;
  verdict first;
};

// Whether the group's file is back as it was (a wrong undo would taint every later case).
bool restored(const std::string& pristine, const std::string& work, const mutation_group& group) {
  const mutation& m = group.cases.front();
  auto before = fileio::read_file(pristine + "/" + m.file);
  auto after = fileio::read_file(work + "/" + m.file);
  if (!before || !after || *before != *after) return false;
  return m.renamed_to.empty() || !fileio::exists(work + "/" + m.renamed_to);
}

// Which cases get the second opinion (each costs two CLI runs and a restart, about a hundred
// times an in-process case): the first of every outcome class for each kind of damage, a
// few violations, and (long run) a few more at random.
class spot_picker {
 public:
  spot_picker(run_mode mode, std::uint64_t seed) : long_(mode == run_mode::long_run), random_(seed) {}

  void consider(const mutation_group& group, const std::vector<verdict>& verdicts, std::vector<spot>& out) {
    for (std::size_t i = 0; i < verdicts.size(); ++i) {
      const verdict& v = verdicts[i];
      const std::string key = (long_ ? std::to_string(static_cast<int>(group.kind)) : "") + v.outcome_class;
      bool take = seen_.insert(key).second;
      if (!v.ok) take = take || violations_++ < (long_ ? 12u : 4u);
      if (long_ && !take && random_() % 50000 == 0) take = true;
      if (take) out.push_back({&group.cases[i], v});
    }
  }

 private:
  bool long_;
  std::mt19937_64 random_;
  std::set<std::string> seen_;
  std::size_t violations_ = 0;
};

// The first damaged store of each violation class, kept under <out>/sweep-reproducers/ with
// a note of what was done to it (a locked store's throwaway unlock key beside it).
void save_reproducer(const campaign_options& options, const sweep_store& store, const mutation& m,
                     const verdict& v, std::set<std::string>& saved) {
  if (v.ok || !saved.insert(v.outcome_class).second) return;
  const std::string dir = options.out_dir + "/sweep-reproducers/" + std::to_string(saved.size()) + "-" + store.name;
  std::string ignored;
  if (!copy_store(store.dir, dir + "/store") || !apply(dir + "/store", m, ignored)) return;
  std::string note = "store: " + store.name + "\ndamage: " + describe(m) + "\nclass: " + v.outcome_class +
                     "\noutcome: " + v.outcome + "\n";
  if (store.kek) {
    if (auto key = fileio::read_file(store.unlock_key_file)) {
      (void)fileio::write_file_atomic(dir + "/unlock-key", *key);
      note += "unlock key: unlock-key (raftvault verify --data-dir store --unlock-key-file unlock-key)\n";
    }
  }
  (void)fileio::write_file_atomic(dir + "/README", note);
}

// One row per run of consecutive cases alike (same outcome class, same region of the file),
// so that a million cases make a table of thousands of rows; every violation has its own.
void record(campaign_result& result, const sweep_store& store, const mutation_group& group,
            const std::vector<verdict>& verdicts) {
  for (std::size_t i = 0, j = 0; i < verdicts.size(); i = j) {
    const verdict& v = verdicts[i];
    for (j = i + 1; v.ok && j < verdicts.size(); ++j) {
      if (!verdicts[j].ok || verdicts[j].outcome_class != v.outcome_class ||
          group.cases[j].region != group.cases[i].region)
        break;
    }
    std::string name = store.name + ": " + describe(group.cases[i]);
    std::string outcome = v.outcome;
    if (j - i > 1) {
      name += " ... " + describe(group.cases[j - 1]) + " (" + std::to_string(j - i) + " cases)";
      outcome = "first: " + outcome;
    }
    result.add({name, outcome, v.ok}, v.outcome_class, j - i);
  }
}

// Runs one group's cases on the working copy `work` and records them.
void sweep_group(const campaign_options& options, const sweep_store& store, const std::string& work,
                 const mutation_group& group, campaign_result& result, std::set<std::string>& reproducers,
                 spot_picker& picker, std::vector<spot>& spots) {
  auto reset = [&] {
    if (auto copied = copy_store(store.dir, work); !copied) std::cerr << copied.error().describe() << "\n";
  };
  const auto verdicts = run_isolated(
      group.cases.size(),
      [&](std::size_t i, bool& needs_reset) {
        const bool keep = group.kind == mutation_kind::truncate && i + 1 < group.cases.size();
        return run_case(store, work, group.cases[i], keep, needs_reset);
      },
      reset, kCaseTimeoutSeconds);
  record(result, store, group, verdicts);
  for (std::size_t i = 0; i < verdicts.size(); ++i)
    save_reproducer(options, store, group.cases[i], verdicts[i], reproducers);
  picker.consider(group, verdicts, spots);
  if (!restored(store.dir, work, group)) {
    result.add({store.name + ": undo after " + describe(group.cases.front()), "the working copy differs", false},
               "HARNESS ERROR");
    reset();
  }
}

void check_spots(const campaign_options& options, const sweep_store& store, const std::vector<spot>& spots,
                 campaign_result& result, std::set<std::string>& reproducers) {
  const std::string dir = options.scratch_dir + "/" + store.name + ".spot";
  const auto checked = run_isolated(
      spots.size(),
      [&](std::size_t i, bool&) { return spot_check(options.bin_dir, store, *spots[i].damage, spots[i].first, dir); },
      [] {}, 4 * kCaseTimeoutSeconds);
  for (std::size_t i = 0; i < checked.size(); ++i) {
    save_reproducer(options, store, *spots[i].damage, checked[i], reproducers);
    result.add({store.name + ": CLI + restart: " + describe(*spots[i].damage), checked[i].outcome, checked[i].ok},
               checked[i].outcome_class);
  }
}

void sweep_one_store(const campaign_options& options, const sweep_store& store, campaign_result& result,
                     std::set<std::string>& reproducers) {
  const auto start = std::chrono::steady_clock::now();
  auto groups = plan_sweep(store.dir, options.mode, options.seed);
  const std::string work = options.scratch_dir + "/" + store.name + ".work";
  if (auto copied = groups ? copy_store(store.dir, work) : status(groups.error()); !copied) {
    result.add({store.name + ": prepare", copied.error().describe(), false}, "HARNESS ERROR");
    return;
  }
  spot_picker picker(options.mode, options.seed);
  std::vector<spot> spots;
  std::size_t count = 0;
  for (const auto& group : *groups) {
    sweep_group(options, store, work, group, result, reproducers, picker, spots);
    count += group.cases.size();
  }
  check_spots(options, store, spots, result, reproducers);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << "  " << store.name << ": " << count << " cases, " << spots.size() << " spot checks, "
            << static_cast<int>(seconds) << " s" << std::endl;
}

// RAFTVAULT_SWEEP_STORES=a,b limits a run to those stores (to replay one store's cases).
std::vector<std::string> chosen_stores() {
  std::vector<std::string> names;
  const char* env = std::getenv("RAFTVAULT_SWEEP_STORES");
  std::string list = env ? env : "";
  for (std::size_t at = 0; at < list.size();) {
    const std::size_t comma = std::min(list.find(',', at), list.size());
    if (comma > at) names.push_back(list.substr(at, comma - at));
    at = comma + 1;
  }
  return names;
}

campaign_result run_sweep(const campaign_options& options) {
  campaign_result result;
  auto stores = build_stores(options, chosen_stores());
  if (!stores) {
    result.add({"build the stores", stores.error().describe(), false}, "HARNESS ERROR");
    return result;
  }
  std::error_code ignored;
  std::filesystem::remove_all(options.out_dir + "/sweep-reproducers", ignored);
  std::set<std::string> reproducers;  // violation classes saved
  for (const auto& store : *stores) sweep_one_store(options, store, result, reproducers);
  return result;
}

const campaign_registration kReg{
    "sweep", "corruption sweep: bit flips, truncations, zeroed sectors, lost files in every store kind",
    run_sweep};

}  // namespace
}  // namespace raftvault::reliability
