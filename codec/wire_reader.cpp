#include "codec/wire_reader.h"

namespace raftvault::codec {

bool wire_reader::read_varint(std::uint64_t& value) {
  value = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (p_ == end_) return false;
    auto byte = static_cast<unsigned char>(*p_++);
    // The tenth byte holds bit 63 alone; more would overflow 64 bits (protobuf refuses it).
    if (shift == 63 && byte > 1) return false;
    value |= static_cast<std::uint64_t>(byte & 0x7F) << shift;
    if ((byte & 0x80) == 0) return true;
  }
  return false;
}

bool wire_reader::read_tag(std::uint32_t& field, std::uint32_t& wire_type) {
  std::uint64_t tag;
  if (!read_varint(tag) || tag > 0xFFFFFFFFu) return false;
  field = static_cast<std::uint32_t>(tag >> 3);
  wire_type = static_cast<std::uint32_t>(tag & 7);
  return field != 0;
}

bool wire_reader::read_length_delimited(std::string_view& value) {
  std::uint64_t length;
  if (!read_varint(length) || length > static_cast<std::uint64_t>(end_ - p_)) return false;
  value = std::string_view(p_, length);
  p_ += length;
  return true;
}

bool wire_reader::skip(std::uint32_t wire_type) {
  std::uint64_t ignored;
  std::string_view ignored_bytes;
  switch (wire_type) {
    case 0: return read_varint(ignored);
    case 1:
      if (end_ - p_ < 8) return false;
      p_ += 8;
      return true;
    case 2: return read_length_delimited(ignored_bytes);
    case 5:
      if (end_ - p_ < 4) return false;
      p_ += 4;
      return true;
    default: return false;
  }
}

}  // namespace raftvault::codec
