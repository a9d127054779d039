// raftvault-campaign: runs the fault campaigns (reliability/README.md) and writes one table per
// campaign plus the totals into an output directory. Exit 0 only when no case violated the
// promise it checks; 1 otherwise; 2 on a usage error.
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <string>

#include "reliability/campaign.h"

namespace {

using namespace raftvault::reliability;

int usage() {
  std::cerr << "usage: raftvault-campaign <campaign|all> [--long] [--out DIR] [--seed N] [--bin-dir DIR]\n"
               "  --long      the long form (./dev.sh soak); default: the smoke form (CI)\n"
               "  --out DIR   where the tables go (default reliability-results)\n"
               "  --seed N    the seed every random choice derives from (default 1)\n"
               "  --bin-dir   where raftvault and raftvault-bench are (default: beside this program)\n"
               "campaigns:\n";
  for (const auto& c : campaigns()) std::cerr << "  " << std::left << std::setw(12) << c.name << c.summary << "\n";
  return 2;
}

std::string own_dir() {
  std::error_code ec;
  auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string(".") : self.parent_path().string();
}

void write_table(std::ostream& out, const registered_campaign& c, const campaign_result& r, double seconds) {
  out << "# " << c.name << ": " << c.summary << "\n";
  out << "cases " << r.case_count() << ", violations " << r.violations() << ", " << std::fixed
      << std::setprecision(1) << seconds << " s\n\n";
  out << std::left << std::setw(48) << "outcome" << "cases\n";
  for (const auto& [name, count] : r.classes) out << std::setw(48) << name << count << "\n";
  if (r.violations() > 0) {
    out << "\nviolations:\n";
    for (const auto& v : r.cases)
      if (!v.ok) out << "  " << v.name << ": " << v.outcome << "\n";
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return usage();
  const std::string which = argv[1];
  campaign_options options;
  options.out_dir = "reliability-results";
  options.bin_dir = own_dir();
  for (int i = 2; i < argc; ++i) {
    const std::string flag = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << "raftvault-campaign: " << flag << " needs a value\n";
        std::exit(2);
      }
      return argv[++i];
    };
    if (flag == "--long") options.mode = run_mode::long_run;
    else if (flag == "--out") options.out_dir = value();
    else if (flag == "--seed") options.seed = std::stoull(value());
    else if (flag == "--bin-dir") options.bin_dir = value();
    else return usage();
  }
  std::vector<const registered_campaign*> selected;
  for (const auto& c : campaigns())
    if (which == "all" || which == c.name) selected.push_back(&c);
  if (selected.empty()) return usage();

  std::filesystem::create_directories(options.out_dir);
  std::ofstream totals(options.out_dir + "/totals.txt", which == "all" ? std::ios::trunc : std::ios::app);
  std::uint64_t all_cases = 0, all_violations = 0;
  for (const auto* c : selected) {
    const auto scratch = std::filesystem::temp_directory_path() /
                         ("raftvault-campaign-" + std::string(c->name) + "-" + std::to_string(::getpid()));
    std::filesystem::create_directories(scratch);
    std::filesystem::permissions(scratch, std::filesystem::perms::owner_all);
    options.scratch_dir = scratch.string();
    const auto start = std::chrono::steady_clock::now();
    std::cout << "campaign " << c->name << " (" << (options.mode == run_mode::smoke ? "smoke" : "long") << ")..." << std::endl;
    const campaign_result result = c->run(options);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::filesystem::remove_all(scratch);

    std::ofstream table(options.out_dir + "/" + c->name + ".txt");
    write_table(table, *c, result, seconds);
    std::ofstream cases(options.out_dir + "/" + c->name + "-cases.tsv");
    cases << "case\toutcome\tok\n";
    for (const auto& k : result.cases) cases << k.name << "\t" << k.outcome << "\t" << (k.ok ? "yes" : "NO") << "\n";
    write_table(std::cout, *c, result, seconds);
    std::cout << std::endl;
    totals << c->name << "\tcases " << result.case_count() << "\tviolations " << result.violations() << "\t"
           << std::fixed << std::setprecision(1) << seconds << " s\n";
    all_cases += result.case_count();
    all_violations += result.violations();
  }
  std::cout << all_cases << " cases, " << all_violations << " violations" << std::endl;
  return all_violations == 0 ? 0 : 1;
}
