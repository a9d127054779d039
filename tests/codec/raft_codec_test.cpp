// Every hand-written encoder against the protobuf library's output for the same message
// (gogoproto's rules: non-nullable fields always written, Entry.Data only when present).
#include "codec/raft_codec.h"

#include <catch2/catch.hpp>

#include "codec/proto/raftpb.pb.h"
#include "codec/proto/walpb.pb.h"
#include "codec/wal_record.h"

using namespace raftvault;
using namespace raftvault::codec;

TEST_CASE("entry encoding equals protobuf with explicit presence", "[codec]") {
  const std::vector<entry> cases = {
      {0, 0, entry_type::normal, ""},
      {1, 1, entry_type::conf_change, "\x08\x01"},
      {3, 300, entry_type::normal, std::string(200, 'x')},
      {~0ull, ~0ull, entry_type::conf_change_v2, "z"},
  };
  for (const auto& e : cases) {
    raftpb::Entry message;
    message.set_type(static_cast<raftpb::EntryType>(e.type));
    message.set_term(e.term);
    message.set_index(e.index);
    if (!e.data.empty()) message.set_data(e.data);
    const auto encoded = encode_entry(e);
    CHECK(encoded == message.SerializeAsString());
    CHECK(encoded.size() == encoded_entry_size(e));
    auto decoded = decode_entry(encoded);
    REQUIRE(decoded);
    CHECK(*decoded == e);
  }
}

TEST_CASE("hard state and snapshot marker always write every field", "[codec]") {
  raftpb::HardState hs;
  hs.set_term(0);
  hs.set_vote(0);
  hs.set_commit(7);
  CHECK(encode_hard_state({0, 0, 7}) == hs.SerializeAsString());
  CHECK(encode_hard_state({0, 0, 7}) == std::string("\x08\x00\x10\x00\x18\x07", 6));
  CHECK(decode_hard_state(encode_hard_state({4, 2, 124})).value() == hard_state{4, 2, 124});

  walpb::Snapshot marker;
  marker.set_index(0);
  marker.set_term(0);
  CHECK(encode_snapshot_marker({0, 0}) == marker.SerializeAsString());
  CHECK(decode_snapshot_marker(encode_snapshot_marker({20, 2})).value() == snapshot_marker{20, 2});
}

TEST_CASE("snapshot round trip keeps conf state and writes auto_leave", "[codec]") {
  snapshot s;
  s.data = "state";
  s.metadata.index = 20;
  s.metadata.term = 2;
  s.metadata.conf.voters = {1, 2, 3};
  const auto encoded = encode_snapshot(s);
  CHECK(encoded.find(std::string("\x28\x00", 2)) != std::string::npos);
  CHECK(decode_snapshot(encoded).value() == s);
}

TEST_CASE("decoders refuse truncated input", "[codec]") {
  const auto encoded = encode_entry({1, 2, entry_type::normal, "payload"});
  for (std::size_t cut = 1; cut < encoded.size(); ++cut) {
    auto decoded = decode_entry(std::string_view(encoded).substr(0, cut));
    if (!decoded) CHECK(decoded.error().code() == errc::corruption);
  }
  CHECK_FALSE(decode_entry(encoded.substr(0, encoded.size() - 1)));
  CHECK_FALSE(decode_hard_state("\x08"));
}

TEST_CASE("frames are padded to 8 bytes with the padding in the length word", "[codec]") {
  std::string out;
  append_frame(record_type::crc, 0, {}, false, out);
  // walpb.Record{type 4, crc 0} = 08 04 10 00: 4 bytes, 4 of padding.
  CHECK(out.size() == 16);
  CHECK(static_cast<unsigned char>(out[7]) == 0x84);
  CHECK(out[0] == 4);
  const auto size = decode_length_word(encode_length_word(4));
  CHECK(size.record_bytes == 4);
  CHECK(size.padding == 4);
  CHECK(decode_length_word(encode_length_word(16)).padding == 0);

  walpb::Record record;
  record.set_type(2);
  record.set_crc(0xdeadbeef);
  record.set_data("abc");
  std::string frame;
  append_frame(record_type::entry, 0xdeadbeef, "abc", true, frame);
  const auto marshalled = record.SerializeAsString();
  CHECK(frame.substr(8, marshalled.size()) == marshalled);
  auto decoded = decode_record(marshalled);
  REQUIRE(decoded);
  CHECK(decoded->type == 2);
  CHECK(decoded->crc == 0xdeadbeefu);
  CHECK(decoded->data == "abc");
}
