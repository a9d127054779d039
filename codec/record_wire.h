// Hand-written protobuf wire encoding of MaybeEncryptedRecord (codec/proto/encryption.proto).
// Sealing is hot (every WAL entry), so records are built in one allocation instead of through a
// protobuf message object; tests check the bytes equal the protobuf library's output.
// Internal to codec/.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "codec/error.h"

namespace raftvault::codec::wire {

// Field numbers and tags (field << 3 | wire type).
constexpr unsigned char kAlgorithmTag = 0x08;  // 1, varint
constexpr unsigned char kDataTag = 0x12;       // 2, length-delimited
constexpr unsigned char kNonceTag = 0x1a;      // 3, length-delimited
constexpr unsigned char kKeyIdTag = 0x20;      // 4, varint

// A record laid out in `out` with room for `data_size` data bytes at `data_offset`; the caller
// fills the data in place. Zero algorithm / key_id and empty data / nonce are omitted (proto3).
struct layout {
  std::size_t data_offset;
};
layout build_record(std::string& out, std::uint32_t algorithm, std::size_t data_size,
                    std::string_view nonce, std::uint32_t key_id);

struct parsed_record {
  std::uint32_t algorithm = 0;
  std::uint32_t key_id = 0;
  std::string_view data;
  std::string_view nonce;
};
// Parses like the protobuf library: fields in any order, last occurrence wins, unknown fields
// skipped. Fails with corruption naming the byte offset.
result<parsed_record> parse_record(std::string_view bytes);

}  // namespace raftvault::codec::wire
