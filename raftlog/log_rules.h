// raft's safety rules for what a store persists. The storage checks them before it accepts a
// write (a refused request writes nothing); `raftvault verify` checks the records on disk.
// Each error names the index (and term) at fault.
#pragma once

#include <cstdint>
#include <vector>

#include "codec/error.h"
#include "codec/raft_types.h"
#include "raftlog/term_runs.h"

namespace raftvault::raftlog {

// A hard state replacing `before`: the term never decreases, the vote never changes within a
// term (from none to a candidate is casting it), the commit never decreases and never passes
// `last_index`, the last index the store holds once the write is done.
status check_hard_state(const hard_state& before, const hard_state& next, std::uint64_t last_index);

// Whether an entry may be written again at or below the commit with the term it already has:
// the storage refuses every such rewrite (raft never sends one), while on disk a re-append of
// the entry a truncation keeps is how the truncation outlives a crash.
enum class rewrite_rule { refuse, allow_same_term };

// One entry written over a log whose terms are `terms` and whose commit is `commit`: terms never
// decrease along the log, and nothing at or below the commit is overwritten.
status check_entry(const term_runs& terms, std::uint64_t commit, std::uint64_t index, std::uint64_t term,
                   rewrite_rule rule);

// Contiguous entries written from entries.front().index on (the rest of the log is dropped).
status check_entries(const term_runs& terms, std::uint64_t commit, const std::vector<entry>& entries,
                     rewrite_rule rule);

// A snapshot's term matches the log's term at its index when the log holds that index.
status check_snapshot_term(const term_runs& terms, snapshot_marker marker);

}  // namespace raftvault::raftlog

namespace raftvault::raftlog {

// Follows a WAL's records in log order and checks each against the rules above, as
// `raftvault verify` does. A hard state's commit is not held to the last index here: etcd 3.4
// writes a follower's hard state before the record of the snapshot it installed, so the commit
// may lead for a record; the restart path checks the commit against the log it reads.
class record_rules {
 public:
  status entry(std::uint64_t index, std::uint64_t term);
  status state(const hard_state& next);
  status snapshot(snapshot_marker marker);

 private:
  term_runs terms_;
  hard_state state_;
};

}  // namespace raftvault::raftlog
