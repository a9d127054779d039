#include "codec/record_wire.h"

namespace raftvault::codec::wire {
namespace {

std::size_t varint_size(std::uint64_t v) {
  std::size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

char* put_varint(char* p, std::uint64_t v) {
  while (v >= 0x80) {
    *p++ = static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  *p++ = static_cast<char>(v);
  return p;
}

bool get_varint(std::string_view bytes, std::size_t& pos, std::uint64_t& value) {
  value = 0;
  for (int shift = 0; shift < 70 && pos < bytes.size(); shift += 7) {
    const auto b = static_cast<unsigned char>(bytes[pos++]);
    if (shift == 63 && b > 1) return false;  // bits past 64: protobuf refuses the varint
    value |= static_cast<std::uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) return true;
  }
  return false;  // truncated, or longer than 10 bytes
}

error malformed(std::size_t offset, std::string_view why) {
  return error(errc::corruption, "malformed encrypted record at byte " + std::to_string(offset) +
                                     ": " + std::string(why));
}

}  // namespace

layout build_record(std::string& out, std::uint32_t algorithm, std::size_t data_size,
                    std::string_view nonce, std::uint32_t key_id) {
  std::size_t size = 0;
  if (algorithm != 0) size += 1 + varint_size(algorithm);
  if (data_size != 0) size += 1 + varint_size(data_size) + data_size;
  if (!nonce.empty()) size += 1 + varint_size(nonce.size()) + nonce.size();
  if (key_id != 0) size += 1 + varint_size(key_id);
  out.resize(size);
  char* const base = out.data();
  char* p = base;
  if (algorithm != 0) {
    *p++ = static_cast<char>(kAlgorithmTag);
    p = put_varint(p, algorithm);
  }
  std::size_t data_offset = static_cast<std::size_t>(p - base);
  if (data_size != 0) {
    *p++ = static_cast<char>(kDataTag);
    p = put_varint(p, data_size);
    data_offset = static_cast<std::size_t>(p - base);
    p += data_size;
  }
  if (!nonce.empty()) {
    *p++ = static_cast<char>(kNonceTag);
    p = put_varint(p, nonce.size());
    for (char c : nonce) *p++ = c;
  }
  if (key_id != 0) {
    *p++ = static_cast<char>(kKeyIdTag);
    p = put_varint(p, key_id);
  }
  return layout{data_offset};
}

result<parsed_record> parse_record(std::string_view bytes) {
  parsed_record rec;
  std::size_t pos = 0;
  while (pos < bytes.size()) {
    const std::size_t field_start = pos;
    std::uint64_t tag = 0;
    if (!get_varint(bytes, pos, tag)) return malformed(field_start, "truncated field tag");
    const std::uint64_t field = tag >> 3;
    const unsigned wire_type = static_cast<unsigned>(tag & 7);
    if (field == 0 || field > 0x1fffffff) return malformed(field_start, "invalid field number");
    switch (wire_type) {
      case 0: {
        std::uint64_t v = 0;
        if (!get_varint(bytes, pos, v)) return malformed(field_start, "truncated varint");
        // Protobuf truncates varints to the field's 32-bit type.
        if (field == 1) rec.algorithm = static_cast<std::uint32_t>(v);
        if (field == 4) rec.key_id = static_cast<std::uint32_t>(v);
        break;
      }
      case 1:
        if (bytes.size() - pos < 8) return malformed(field_start, "truncated fixed64");
        pos += 8;
        break;
      case 5:
        if (bytes.size() - pos < 4) return malformed(field_start, "truncated fixed32");
        pos += 4;
        break;
      case 2: {
        std::uint64_t len = 0;
        if (!get_varint(bytes, pos, len)) return malformed(field_start, "truncated length");
        if (len > bytes.size() - pos) {
          return malformed(field_start, "field " + std::to_string(field) + " length " +
                                            std::to_string(len) + " runs past the end (" +
                                            std::to_string(bytes.size()) + " bytes)");
        }
        const auto value = bytes.substr(pos, static_cast<std::size_t>(len));
        if (field == 2) rec.data = value;
        if (field == 3) rec.nonce = value;
        pos += static_cast<std::size_t>(len);
        break;
      }
      default:
        return malformed(field_start, "unsupported wire type " + std::to_string(wire_type));
    }
  }
  return rec;
}

}  // namespace raftvault::codec::wire
