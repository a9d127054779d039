// The raft values raftvault stores, as plain structs (no protobuf objects on the hot path).
// Field meanings are etcd 3.4's raftpb / walpb messages.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace raftvault {

// raftpb.EntryType: the number etcd writes.
enum class entry_type : std::uint32_t { normal = 0, conf_change = 1, conf_change_v2 = 2 };

// raftpb.Entry. Empty `data` is written as etcd writes a nil Data: no field 4.
struct entry {
  std::uint64_t term = 0;
  std::uint64_t index = 0;
  entry_type type = entry_type::normal;
  std::string data;

  friend bool operator==(const entry& a, const entry& b) {
    return a.term == b.term && a.index == b.index && a.type == b.type && a.data == b.data;
  }
};

// raftpb.HardState. An all-zero state is never written (raft.IsEmptyHardState).
struct hard_state {
  std::uint64_t term = 0;
  std::uint64_t vote = 0;
  std::uint64_t commit = 0;

  bool empty() const { return term == 0 && vote == 0 && commit == 0; }
  friend bool operator==(const hard_state& a, const hard_state& b) {
    return a.term == b.term && a.vote == b.vote && a.commit == b.commit;
  }
};

// walpb.Snapshot: the WAL's record of a snapshot's position.
struct snapshot_marker {
  std::uint64_t index = 0;
  std::uint64_t term = 0;

  friend bool operator==(const snapshot_marker& a, const snapshot_marker& b) {
    return a.index == b.index && a.term == b.term;
  }
};

// raftpb.ConfState.
struct conf_state {
  std::vector<std::uint64_t> voters;
  std::vector<std::uint64_t> learners;
  std::vector<std::uint64_t> voters_outgoing;
  std::vector<std::uint64_t> learners_next;
  bool auto_leave = false;

  friend bool operator==(const conf_state& a, const conf_state& b) {
    return a.voters == b.voters && a.learners == b.learners &&
           a.voters_outgoing == b.voters_outgoing && a.learners_next == b.learners_next &&
           a.auto_leave == b.auto_leave;
  }
};

// raftpb.SnapshotMetadata.
struct snapshot_metadata {
  conf_state conf;
  std::uint64_t index = 0;
  std::uint64_t term = 0;

  friend bool operator==(const snapshot_metadata& a, const snapshot_metadata& b) {
    return a.conf == b.conf && a.index == b.index && a.term == b.term;
  }
};

// raftpb.Snapshot: the service's state machine at `metadata.index`.
struct snapshot {
  std::string data;
  snapshot_metadata metadata;

  snapshot_marker marker() const { return {metadata.index, metadata.term}; }
  friend bool operator==(const snapshot& a, const snapshot& b) {
    return a.data == b.data && a.metadata == b.metadata;
  }
};

}  // namespace raftvault
