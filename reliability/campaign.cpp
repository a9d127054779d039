#include "reliability/campaign.h"

#include <algorithm>

namespace raftvault::reliability {
namespace {

std::vector<registered_campaign>& registry() {
  static std::vector<registered_campaign> all;
  return all;
}

}  // namespace

void campaign_result::add(case_outcome c, const std::string& outcome_class, std::uint64_t count) {
  auto found = std::find_if(classes.begin(), classes.end(),
                            [&](const auto& entry) { return entry.first == outcome_class; });
  if (found == classes.end()) {
    classes.emplace_back(outcome_class, count);
  } else {
    found->second += count;
  }
  cases.push_back(std::move(c));
}

std::uint64_t campaign_result::violations() const {
  return static_cast<std::uint64_t>(
      std::count_if(cases.begin(), cases.end(), [](const case_outcome& c) { return !c.ok; }));
}

campaign_registration::campaign_registration(const char* name, const char* summary,
                                             campaign_fn run) {
  registry().push_back({name, summary, run});
}

const std::vector<registered_campaign>& campaigns() { return registry(); }

std::uint64_t campaign_result::case_count() const {
  std::uint64_t total = 0;
  for (const auto& entry : classes) total += entry.second;
  return total;
}

}  // namespace raftvault::reliability
