#include "codec/wal_record.h"

#include "codec/raft_codec.h"
#include "codec/wire_reader.h"

namespace raftvault::codec {

std::uint64_t encode_length_word(std::uint64_t record_bytes) {
  const auto padding = (kFrameAlignment - record_bytes % kFrameAlignment) % kFrameAlignment;
  std::uint64_t word = record_bytes;
  if (padding != 0) word |= static_cast<std::uint64_t>(0x80 | padding) << 56;
  return word;
}

frame_size decode_length_word(std::uint64_t word) {
  frame_size size;
  size.record_bytes = word & ~(std::uint64_t{0xFF} << 56);
  if (word >> 63) size.padding = static_cast<std::uint32_t>((word >> 56) & 0x7);
  return size;
}

std::size_t record_size(record_type type, std::uint32_t crc, std::size_t data_size, bool has_data) {
  std::size_t n = 2 + varint_size(static_cast<std::uint64_t>(type)) + varint_size(crc);
  if (has_data) n += 1 + varint_size(data_size) + data_size;
  return n;
}

void append_frame(record_type type, std::uint32_t crc, std::string_view data, bool has_data,
                  std::string& out) {
  const auto size = record_size(type, crc, data.size(), has_data);
  const auto word = encode_length_word(size);
  const auto padding = decode_length_word(word).padding;
  const auto start = out.size();
  out.resize(start + kLengthWordBytes);
  for (std::size_t i = 0; i < kLengthWordBytes; ++i)
    out[start + i] = static_cast<char>((word >> (8 * i)) & 0xFF);
  out.push_back(0x08);
  append_varint(static_cast<std::uint64_t>(type), out);
  out.push_back(0x10);
  append_varint(crc, out);
  if (has_data) {
    out.push_back(0x1a);
    append_varint(data.size(), out);
    out.append(data);
  }
  out.append(padding, '\0');
}

result<wal_record> decode_record(std::string_view bytes) {
  wal_record record;
  wire_reader reader(bytes);
  while (!reader.done()) {
    std::uint32_t field, wire_type;
    if (!reader.read_tag(field, wire_type))
      return error(errc::corruption, "malformed walpb.Record");
    std::uint64_t value = 0;
    bool ok;
    if (field == 1 && wire_type == 0) {
      ok = reader.read_varint(value);
      record.type = static_cast<std::int64_t>(value);
    } else if (field == 2 && wire_type == 0) {
      ok = reader.read_varint(value) && value <= 0xFFFFFFFFu;
      record.crc = static_cast<std::uint32_t>(value);
    } else if (field == 3 && wire_type == 2) {
      ok = reader.read_length_delimited(record.data);
      record.has_data = true;
    } else {
      ok = reader.skip(wire_type);
    }
    if (!ok) return error(errc::corruption, "malformed walpb.Record");
  }
  return record;
}

}  // namespace raftvault::codec
