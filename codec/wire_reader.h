// A minimal protobuf wire-format reader for the hand-written decoders: varints, fixed-size
// and length-delimited fields, with every overrun reported instead of read.
#pragma once

#include <cstdint>
#include <string_view>

namespace raftvault::codec {

class wire_reader {
 public:
  explicit wire_reader(std::string_view bytes) : p_(bytes.data()), end_(p_ + bytes.size()) {}

  bool done() const { return p_ == end_; }
  // Each returns false on truncated or malformed input.
  bool read_varint(std::uint64_t& value);
  bool read_tag(std::uint32_t& field, std::uint32_t& wire_type);
  bool read_length_delimited(std::string_view& value);
  bool skip(std::uint32_t wire_type);

 private:
  const char* p_;
  const char* end_;
};

}  // namespace raftvault::codec
