// canonical raft's entries and snapshots as raftvault stores them (docs/raft-io.md, "Mapping"):
// an entry keeps its term, index and bytes, its type maps onto etcd's entry type; a snapshot's
// configuration (servers with addresses and roles, which etcd's ConfState cannot hold) travels
// in an envelope ahead of the FSM's bytes, inside the sealed snapshot data.
#pragma once

#include "raftio/raft_c.h"

#include <string>
#include <string_view>
#include <vector>

#include "codec/error.h"
#include "codec/raft_types.h"

namespace raftvault::raftio {

// RAFT_COMMAND -> normal, RAFT_CHANGE -> conf_change, RAFT_BARRIER -> conf_change_v2 (a store
// written for canonical raft is not an etcd raft log; the slot is what keeps the type).
entry_type to_stored_type(unsigned short raft_type);
result<unsigned short> to_raft_type(entry_type type, std::uint64_t index);

entry to_stored_entry(const raft_entry& e, std::uint64_t index);

// Entries for raft_io's load: one raft_malloc'd array and one raft_malloc'd batch holding every
// entry's bytes (raft frees both). Null with n == 0 for no entries.
result<raft_entry*> to_raft_entries(const std::vector<entry>& stored, std::size_t& n);
void free_raft_entries(raft_entry* entries, std::size_t n);

// The snapshot envelope.
snapshot to_stored_snapshot(const raft_snapshot& snap);
// A raft_malloc'd snapshot with one buffer, as load and snapshot_get hand it over.
result<raft_snapshot*> to_raft_snapshot(const snapshot& stored);
void free_raft_snapshot(raft_snapshot* snap);

}  // namespace raftvault::raftio
