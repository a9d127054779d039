#include "raftlog/term_runs.h"

#include <algorithm>

namespace raftvault::raftlog {

void term_runs::assign(std::uint64_t index, std::uint64_t term) {
  if (runs_.empty() || index < first_ || index > last_ + 1) {
    reset(index, term);
    return;
  }
  truncate_from(index);
  if (runs_.empty() || runs_.back().second != term) runs_.emplace_back(index, term);
  if (first_ == 0) first_ = index;
  last_ = index;
}

void term_runs::truncate_from(std::uint64_t index) {
  if (runs_.empty() || index > last_) return;
  if (index <= first_) {
    runs_.clear();
    first_ = last_ = 0;
    return;
  }
  while (!runs_.empty() && runs_.back().first >= index) runs_.pop_back();
  last_ = index - 1;
}

void term_runs::compact_to(std::uint64_t index) {
  if (runs_.empty() || index <= first_) return;
  if (index > last_) {
    runs_.clear();
    first_ = last_ = 0;
    return;
  }
  // The run holding `index` starts there now; the runs wholly before it go.
  auto holder = std::upper_bound(runs_.begin(), runs_.end(), index,
                                 [](std::uint64_t i, const auto& run) { return i < run.first; });
  --holder;
  holder->first = index;
  runs_.erase(runs_.begin(), holder);
  first_ = index;
}

void term_runs::reset(std::uint64_t index, std::uint64_t term) {
  runs_.assign(1, {index, term});
  first_ = last_ = index;
}

std::optional<std::uint64_t> term_runs::term_at(std::uint64_t index) const {
  if (runs_.empty() || index < first_ || index > last_) return std::nullopt;
  auto after = std::upper_bound(runs_.begin(), runs_.end(), index,
                                [](std::uint64_t i, const auto& run) { return i < run.first; });
  return std::prev(after)->second;
}

}  // namespace raftvault::raftlog
