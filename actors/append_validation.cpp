#include "actors/append_validation.h"

#include <algorithm>

#include "codec/raft_codec.h"
#include "codec/wal_record.h"
#include "raftlog/log_rules.h"

namespace raftvault::actors {
namespace {

// A sealed payload adds a MaybeEncryptedRecord around the data: nonce, tag, tags/lengths.
constexpr std::uint64_t kSealOverheadBytes = 96;

error refuse(std::string message) { return error(errc::invalid_argument, std::move(message)); }

}  // namespace

accepted_position recovered_position(const raftlog::recovered_state& recovered) {
  accepted_position at;
  at.state = recovered.state;
  if (recovered.snap) {
    at.snapshot_index = at.last_index = recovered.snap->metadata.index;
    at.last_term = recovered.snap->metadata.term;
    at.terms.reset(at.last_index, at.last_term);
  }
  for (const auto& e : recovered.entries) at.terms.assign(e.index, e.term);
  if (!recovered.entries.empty()) {
    at.last_index = recovered.entries.back().index;
    at.last_term = recovered.entries.back().term;
  }
  return at;
}

status validate_append(const accepted_position& at, const hard_state& state,
                       const std::vector<entry>& entries) {
  if (!state.empty()) {
    const auto last_after = entries.empty() ? at.last_index : entries.back().index;
    RV_TRY(raftlog::check_hard_state(at.state, state, std::max(last_after, at.snapshot_index)));
  }
  if (entries.empty()) return {};
  const auto& first = entries.front();
  if (first.index <= at.snapshot_index)
    return refuse("entry index " + std::to_string(first.index) + " is at or below the snapshot index " +
                  std::to_string(at.snapshot_index));
  if (first.index > at.last_index + 1)
    return refuse("entry index " + std::to_string(first.index) + " leaves a gap after the last index " +
                  std::to_string(at.last_index));
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const auto& e = entries[i];
    if (i > 0 && e.index != entries[i - 1].index + 1)
      return refuse("non-contiguous indexes: entry " + std::to_string(e.index) + " follows " +
                    std::to_string(entries[i - 1].index));
    if (codec::encoded_entry_size(e) + kSealOverheadBytes >= codec::kMaxRecordBytes)
      return refuse("entry " + std::to_string(e.index) + " carries " + std::to_string(e.data.size()) +
                    " bytes; a WAL record must stay under 10 MiB");
  }
  return raftlog::check_entries(at.terms, at.state.commit, entries, raftlog::rewrite_rule::refuse);
}

status validate_snapshot(const accepted_position& at, const snapshot& snap) {
  if (snap.metadata.index == 0) return refuse("snapshot index 0 is not a snapshot");
  if (snap.metadata.index <= at.snapshot_index)
    return refuse("snapshot index " + std::to_string(snap.metadata.index) +
                  " is not newer than the current snapshot index " + std::to_string(at.snapshot_index));
  if (snap.metadata.term > at.state.term)
    return refuse("snapshot at index " + std::to_string(snap.metadata.index) + " has term " +
                  std::to_string(snap.metadata.term) + ", above the hard state's term " +
                  std::to_string(at.state.term) + " (a snapshot never raises the term)");
  return raftlog::check_snapshot_term(at.terms, snap.marker());
}

void accept_snapshot(accepted_position& at, snapshot_marker marker) {
  at.snapshot_index = std::max(at.snapshot_index, marker.index);
  if (marker.index > at.last_index) {
    at.last_index = marker.index;
    at.last_term = marker.term;
    at.terms.reset(marker.index, marker.term);
  }
}

void accept_append(accepted_position& at, const hard_state& state,
                   const std::vector<entry>& entries) {
  if (!state.empty()) at.state = state;
  if (!entries.empty()) {
    at.last_index = entries.back().index;
    at.last_term = entries.back().term;
  }
  for (const auto& e : entries) at.terms.assign(e.index, e.term);
}

}  // namespace raftvault::actors
