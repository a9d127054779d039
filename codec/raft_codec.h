// Byte-exact etcd 3.4 (gogoproto) encodings of the raft values. Entry, HardState and the
// walpb snapshot marker are hand-encoded (they are on the append hot path); tests check every
// encoder against the protobuf library's output for the same message.
#pragma once

#include <string>
#include <string_view>

#include "codec/error.h"
#include "codec/raft_types.h"

namespace raftvault::codec {

// Appends the marshalled message to `out`.
void append_entry(const entry& e, std::string& out);
void append_hard_state(const hard_state& hs, std::string& out);
void append_snapshot_marker(const snapshot_marker& m, std::string& out);

std::string encode_entry(const entry& e);
std::string encode_hard_state(const hard_state& hs);
std::string encode_snapshot_marker(const snapshot_marker& m);
std::string encode_snapshot(const snapshot& s);  // raftpb.Snapshot
std::size_t encoded_entry_size(const entry& e);

// Decoders refuse truncated input, wrong wire types and unknown required shapes with
// errc::corruption; `what` names the thing being decoded for the message.
result<entry> decode_entry(std::string_view bytes);
// An entry's index alone, its data skipped, not copied (same checks as decode_entry).
result<std::uint64_t> decode_entry_index(std::string_view bytes);
result<hard_state> decode_hard_state(std::string_view bytes);
result<snapshot_marker> decode_snapshot_marker(std::string_view bytes);
result<snapshot> decode_snapshot(std::string_view bytes);

// Varint helpers shared by the hand encoders.
void append_varint(std::uint64_t value, std::string& out);
std::size_t varint_size(std::uint64_t value);

}  // namespace raftvault::codec
