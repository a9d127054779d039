#include "actors/append_validation.h"

#include "codec/raft_codec.h"
#include "codec/wal_record.h"

namespace raftvault::actors {
namespace {

// A sealed payload adds a MaybeEncryptedRecord around the data: nonce, tag, tags/lengths.
constexpr std::uint64_t kSealOverheadBytes = 96;

error refuse(std::string message) { return error(errc::invalid_argument, std::move(message)); }

}  // namespace

status validate_append(const accepted_position& at, const hard_state& state,
                       const std::vector<entry>& entries) {
  if (!state.empty()) {
    if (state.term < at.state.term)
      return refuse("hard state term " + std::to_string(state.term) + " is below the current term " +
                    std::to_string(at.state.term));
    if (state.commit < at.state.commit)
      return refuse("hard state commit " + std::to_string(state.commit) +
                    " is below the current commit " + std::to_string(at.state.commit));
  }
  if (entries.empty()) return {};
  const auto& first = entries.front();
  if (first.index <= at.snapshot_index)
    return refuse("entry index " + std::to_string(first.index) + " is at or below the snapshot index " +
                  std::to_string(at.snapshot_index));
  if (first.index > at.last_index + 1)
    return refuse("entry index " + std::to_string(first.index) + " leaves a gap after the last index " +
                  std::to_string(at.last_index));
  if (first.index == at.last_index + 1 && first.term < at.last_term)
    return refuse("entry " + std::to_string(first.index) + " has term " + std::to_string(first.term) +
                  ", below the previous entry's term " + std::to_string(at.last_term));
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const auto& e = entries[i];
    if (i > 0 && e.index != entries[i - 1].index + 1)
      return refuse("non-contiguous indexes: entry " + std::to_string(e.index) + " follows " +
                    std::to_string(entries[i - 1].index));
    if (i > 0 && e.term < entries[i - 1].term)
      return refuse("entry " + std::to_string(e.index) + " has term " + std::to_string(e.term) +
                    ", below the previous entry's term " + std::to_string(entries[i - 1].term));
    if (codec::encoded_entry_size(e) + kSealOverheadBytes >= codec::kMaxRecordBytes)
      return refuse("entry " + std::to_string(e.index) + " carries " + std::to_string(e.data.size()) +
                    " bytes; a WAL record must stay under 10 MiB");
  }
  return {};
}

status validate_snapshot(const accepted_position& at, const snapshot& snap) {
  if (snap.metadata.index == 0) return refuse("snapshot index 0 is not a snapshot");
  if (snap.metadata.index <= at.snapshot_index)
    return refuse("snapshot index " + std::to_string(snap.metadata.index) +
                  " is not newer than the current snapshot index " + std::to_string(at.snapshot_index));
  return {};
}

void accept_append(accepted_position& at, const hard_state& state,
                   const std::vector<entry>& entries) {
  if (!state.empty()) at.state = state;
  if (!entries.empty()) {
    at.last_index = entries.back().index;
    at.last_term = entries.back().term;
  }
}

}  // namespace raftvault::actors
