#include "raftlog/log_rules.h"

#include <limits>
#include <string>

namespace raftvault::raftlog {
namespace {

error broken(std::string message) { return error(errc::invalid_argument, std::move(message)); }

std::string num(std::uint64_t v) { return std::to_string(v); }

}  // namespace

status check_hard_state(const hard_state& before, const hard_state& next, std::uint64_t last_index) {
  if (next.term < before.term)
    return broken("hard state term " + num(next.term) + " is below the current term " + num(before.term));
  if (next.term == before.term && before.vote != 0 && next.vote != before.vote)
    return broken("hard state vote " + num(next.vote) + " in term " + num(next.term) +
                  " changes the vote already cast in that term for " + num(before.vote));
  if (next.commit < before.commit)
    return broken("hard state commit " + num(next.commit) + " is below the current commit " + num(before.commit));
  if (next.commit > last_index)
    return broken("hard state commit " + num(next.commit) + " is beyond the last index " + num(last_index) +
                  " the store would hold");
  return {};
}

status check_entry(const term_runs& terms, std::uint64_t commit, std::uint64_t index, std::uint64_t term,
                   rewrite_rule rule) {
  if (!terms.empty() && index >= terms.first() && index <= terms.last() && index <= commit) {
    const bool same = terms.term_at(index) == term;
    if (!same || rule == rewrite_rule::refuse)
      return broken("entry " + num(index) + " (term " + num(term) + ") would overwrite the log at or below the commit index " +
                    num(commit));
  }
  if (index > 0) {
    if (auto before = terms.term_at(index - 1); before && term < *before)
      return broken("entry " + num(index) + " has term " + num(term) + ", below the term " + num(*before) +
                    " of entry " + num(index - 1));
  }
  return {};
}

status check_entries(const term_runs& terms, std::uint64_t commit, const std::vector<entry>& entries,
                     rewrite_rule rule) {
  if (entries.empty()) return {};
  RV_TRY(check_entry(terms, commit, entries.front().index, entries.front().term, rule));
  for (std::size_t i = 1; i < entries.size(); ++i) {
    if (entries[i].term < entries[i - 1].term)
      return broken("entry " + num(entries[i].index) + " has term " + num(entries[i].term) + ", below the term " +
                    num(entries[i - 1].term) + " of entry " + num(entries[i - 1].index));
  }
  return {};
}

status check_snapshot_term(const term_runs& terms, snapshot_marker marker) {
  if (auto held = terms.term_at(marker.index); held && *held != marker.term)
    return broken("snapshot at index " + num(marker.index) + " has term " + num(marker.term) +
                  ", but the log holds that index with term " + num(*held));
  return {};
}

}  // namespace raftvault::raftlog

namespace raftvault::raftlog {

// A record that breaks a rule is still taken in, as a restart would: the records after it are
// judged against the log they follow.
status record_rules::entry(std::uint64_t index, std::uint64_t term) {
  auto checked = check_entry(terms_, state_.commit, index, term, rewrite_rule::allow_same_term);
  terms_.assign(index, term);
  return checked;
}

status record_rules::state(const hard_state& next) {
  auto checked = check_hard_state(state_, next, std::numeric_limits<std::uint64_t>::max());
  state_ = next;
  return checked;
}

status record_rules::snapshot(snapshot_marker marker) {
  auto checked = check_snapshot_term(terms_, marker);
  // Beyond the log, the snapshot is its new base (an installed one): entries follow from it.
  if (terms_.empty() || marker.index > terms_.last()) terms_.reset(marker.index, marker.term);
  return checked;
}

}  // namespace raftvault::raftlog
