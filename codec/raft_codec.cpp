#include "codec/raft_codec.h"

#include <limits>

#include "codec/proto/raftpb.pb.h"
#include "codec/wire_reader.h"

namespace raftvault::codec {
namespace {

constexpr char kVarint = 0;
constexpr char kBytes = 2;
constexpr char tag(int field, char wire_type) { return static_cast<char>(field << 3 | wire_type); }

error malformed(const char* what) {
  return error(errc::corruption, std::string("malformed ") + what + " (protobuf does not parse)");
}

// Decodes a message whose fields are all varints into `slots` by field number (1-based).
template <std::size_t N>
bool decode_varint_fields(std::string_view bytes, std::uint64_t (&slots)[N]) {
  wire_reader reader(bytes);
  while (!reader.done()) {
    std::uint32_t field, wire_type;
    if (!reader.read_tag(field, wire_type)) return false;
    if (field >= 1 && field <= N && wire_type == 0) {
      if (!reader.read_varint(slots[field - 1])) return false;
    } else if (!reader.skip(wire_type)) {
      return false;
    }
  }
  return true;
}

void to_proto(const conf_state& c, raftpb::ConfState& out) {
  for (auto v : c.voters) out.add_voters(v);
  for (auto v : c.learners) out.add_learners(v);
  for (auto v : c.voters_outgoing) out.add_voters_outgoing(v);
  for (auto v : c.learners_next) out.add_learners_next(v);
  out.set_auto_leave(c.auto_leave);  // gogo always writes it (`28 00`)
}

conf_state from_proto(const raftpb::ConfState& c) {
  conf_state out;
  out.voters.assign(c.voters().begin(), c.voters().end());
  out.learners.assign(c.learners().begin(), c.learners().end());
  out.voters_outgoing.assign(c.voters_outgoing().begin(), c.voters_outgoing().end());
  out.learners_next.assign(c.learners_next().begin(), c.learners_next().end());
  out.auto_leave = c.auto_leave();
  return out;
}

}  // namespace

std::size_t varint_size(std::uint64_t value) {
  std::size_t n = 1;
  while (value >= 0x80) {
    value >>= 7;
    ++n;
  }
  return n;
}

void append_varint(std::uint64_t value, std::string& out) {
  while (value >= 0x80) {
    out.push_back(static_cast<char>(value | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<char>(value));
}

std::size_t encoded_entry_size(const entry& e) {
  std::size_t n = 3 + varint_size(static_cast<std::uint64_t>(e.type)) + varint_size(e.term) +
                  varint_size(e.index);
  if (!e.data.empty()) n += 1 + varint_size(e.data.size()) + e.data.size();
  return n;
}

void append_entry(const entry& e, std::string& out) {
  out.push_back(tag(1, kVarint));
  append_varint(static_cast<std::uint64_t>(e.type), out);
  out.push_back(tag(2, kVarint));
  append_varint(e.term, out);
  out.push_back(tag(3, kVarint));
  append_varint(e.index, out);
  if (!e.data.empty()) {
    out.push_back(tag(4, kBytes));
    append_varint(e.data.size(), out);
    out.append(e.data);
  }
}

void append_hard_state(const hard_state& hs, std::string& out) {
  out.push_back(tag(1, kVarint));
  append_varint(hs.term, out);
  out.push_back(tag(2, kVarint));
  append_varint(hs.vote, out);
  out.push_back(tag(3, kVarint));
  append_varint(hs.commit, out);
}

void append_snapshot_marker(const snapshot_marker& m, std::string& out) {
  out.push_back(tag(1, kVarint));
  append_varint(m.index, out);
  out.push_back(tag(2, kVarint));
  append_varint(m.term, out);
}

std::string encode_entry(const entry& e) {
  std::string out;
  out.reserve(encoded_entry_size(e));
  append_entry(e, out);
  return out;
}

std::string encode_hard_state(const hard_state& hs) {
  std::string out;
  append_hard_state(hs, out);
  return out;
}

std::string encode_snapshot_marker(const snapshot_marker& m) {
  std::string out;
  append_snapshot_marker(m, out);
  return out;
}

std::string encode_snapshot(const snapshot& s) {
  raftpb::Snapshot message;
  if (!s.data.empty()) message.set_data(s.data);
  auto* metadata = message.mutable_metadata();
  to_proto(s.metadata.conf, *metadata->mutable_conf_state());
  metadata->set_index(s.metadata.index);
  metadata->set_term(s.metadata.term);
  return message.SerializeAsString();
}

result<entry> decode_entry(std::string_view bytes) {
  entry e;
  wire_reader reader(bytes);
  while (!reader.done()) {
    std::uint32_t field, wire_type;
    if (!reader.read_tag(field, wire_type)) return malformed("raftpb.Entry");
    std::uint64_t value = 0;
    std::string_view data;
    bool ok;
    if (field == 4 && wire_type == 2) {
      ok = reader.read_length_delimited(data);
      e.data.assign(data);
    } else if (field >= 1 && field <= 3 && wire_type == 0) {
      ok = reader.read_varint(value);
      if (field == 1) {
        if (value > 2) return error(errc::corruption, "unknown raftpb.EntryType " + std::to_string(value));
        e.type = static_cast<entry_type>(value);
      } else if (field == 2) {
        e.term = value;
      } else {
        e.index = value;
      }
    } else {
      ok = reader.skip(wire_type);
    }
    if (!ok) return malformed("raftpb.Entry");
  }
  return e;
}

result<std::uint64_t> decode_entry_index(std::string_view bytes) {
  std::uint64_t index = 0;
  wire_reader reader(bytes);
  while (!reader.done()) {
    std::uint32_t field, wire_type;
    if (!reader.read_tag(field, wire_type)) return malformed("raftpb.Entry");
    std::uint64_t value = 0;
    bool ok;
    if (field >= 1 && field <= 3 && wire_type == 0) {
      ok = reader.read_varint(value);
      if (field == 1 && value > 2)
        return error(errc::corruption, "unknown raftpb.EntryType " + std::to_string(value));
      if (field == 3) index = value;
    } else {
      ok = reader.skip(wire_type);
    }
    if (!ok) return malformed("raftpb.Entry");
  }
  return index;
}

result<hard_state> decode_hard_state(std::string_view bytes) {
  std::uint64_t fields[3] = {0, 0, 0};
  if (!decode_varint_fields(bytes, fields)) return malformed("raftpb.HardState");
  return hard_state{fields[0], fields[1], fields[2]};
}

result<snapshot_marker> decode_snapshot_marker(std::string_view bytes) {
  std::uint64_t fields[2] = {0, 0};
  if (!decode_varint_fields(bytes, fields)) return malformed("walpb.Snapshot");
  return snapshot_marker{fields[0], fields[1]};
}

result<snapshot> decode_snapshot(std::string_view bytes) {
  // ParseFromArray takes an int: a larger size would wrap and parse only a prefix.
  if (bytes.size() > static_cast<std::size_t>(std::numeric_limits<int>::max()))
    return error(errc::corruption, "raftpb.Snapshot of " + std::to_string(bytes.size()) +
                                       " bytes is larger than protobuf can parse");
  raftpb::Snapshot message;
  if (!message.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
    return malformed("raftpb.Snapshot");
  snapshot s;
  s.data = message.data();
  s.metadata.conf = from_proto(message.metadata().conf_state());
  s.metadata.index = message.metadata().index();
  s.metadata.term = message.metadata().term();
  return s;
}

}  // namespace raftvault::codec
