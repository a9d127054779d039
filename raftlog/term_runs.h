// The term of every retained log index, stored as runs (first index of a run, its term): raft
// terms change rarely, so a log of millions of entries costs a few runs, and the term of any
// index is a binary search away (raft_io's and etcd Storage's term(i), and the rule checks of
// log_rules.h).
#pragma once

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

namespace raftvault::raftlog {

class term_runs {
 public:
  // Index `index` has `term`; every index after it is forgotten (raft's overwrite of a suffix).
  // An index before first() or past last() + 1 starts the runs over at `index`.
  void assign(std::uint64_t index, std::uint64_t term);
  // Forgets every index >= `index`.
  void truncate_from(std::uint64_t index);
  // Forgets every index < `index` (kept when it is past the last: then empty).
  void compact_to(std::uint64_t index);
  // Only `index` with `term` remains (a snapshot the log is replaced by).
  void reset(std::uint64_t index, std::uint64_t term);

  std::optional<std::uint64_t> term_at(std::uint64_t index) const;
  bool empty() const { return runs_.empty(); }
  std::uint64_t first() const { return first_; }  // 0 when empty
  std::uint64_t last() const { return last_; }    // 0 when empty
  std::size_t runs() const { return runs_.size(); }

 private:
  std::vector<std::pair<std::uint64_t, std::uint64_t>> runs_;  // (first index, term), ascending
  std::uint64_t first_ = 0;
  std::uint64_t last_ = 0;
};

}  // namespace raftvault::raftlog
