// Read-only WAL access for tools: no lock, no repair, nothing written. A torn tail ends the
// read (as etcd's read-mode decoder does); corruption is an error naming file and offset.
#include "raftlog/segment_name.h"
#include "raftlog/wal.h"
#include "raftlog/wal_replay.h"

namespace raftvault::raftlog {

result<wal_contents> read_wal(const std::string& dir, snapshot_marker at) {
  RV_ASSIGN(auto segments, select_segments(dir, at.index));
  RV_ASSIGN(auto replayed, replay(dir, segments, at, replay_mode::read_all));
  return std::move(replayed.contents);
}

result<std::vector<snapshot_marker>> valid_snapshot_markers(const std::string& dir) {
  // etcd reads every segment here, from the first one. Unlike etcd, any hard state covering a
  // marker validates it, not only the last one: a tail cut off after the state that precedes
  // a snapshot marker (etcd's own order) still leaves that snapshot usable.
  RV_ASSIGN(auto segments, read_segments(dir));
  if (segments.empty()) return error(errc::not_found, "no WAL segment (*.wal) in " + dir);
  RV_ASSIGN(auto replayed, replay(dir, segments, {}, replay_mode::snapshots));
  std::vector<snapshot_marker> valid;
  for (const auto& marker : replayed.snapshots)
    if (marker.index <= replayed.max_commit) valid.push_back(marker);
  return valid;
}

status verify_wal(const std::string& dir, snapshot_marker at) {
  RV_ASSIGN(auto segments, select_segments(dir, at.index));
  RV_ASSIGN(auto replayed, replay(dir, segments, at, replay_mode::verify));
  (void)replayed;
  return {};
}

bool wal_exists(const std::string& dir) {
  auto segments = read_segments(dir);
  return segments && !segments->empty();
}

std::vector<segment_info> list_segments(const std::string& dir) {
  auto segments = read_segments(dir);
  return segments ? std::move(segments).value() : std::vector<segment_info>{};
}

}  // namespace raftvault::raftlog
