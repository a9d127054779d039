// etcd 3.4 WAL record framing (docs/wal-format.md). A frame is an 8-byte little-endian length
// word, a marshalled walpb.Record{type, crc, data}, and zero padding to a multiple of 8.
// The low 56 bits of the length word are the record length; when padded, the top byte is
// 0x80 | padding.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "codec/error_types.h"

namespace raftvault::codec {

enum class record_type : std::int64_t {
  metadata = 1,  // data: the WAL's metadata bytes, identical in every segment
  entry = 2,     // data: raftpb.Entry
  state = 3,     // data: raftpb.HardState
  crc = 4,       // no data; crc = running CRC at a segment start
  snapshot = 5,  // data: walpb.Snapshot
};

constexpr std::size_t kFrameAlignment = 8;
constexpr std::size_t kLengthWordBytes = 8;
// etcd's maxWALEntrySizeLimit: records this large are refused on read and write.
constexpr std::uint64_t kMaxRecordBytes = 10u * 1024u * 1024u;

struct frame_size {
  std::uint64_t record_bytes = 0;  // marshalled walpb.Record length
  std::uint32_t padding = 0;       // zero bytes after it
  std::uint64_t total() const { return kLengthWordBytes + record_bytes + padding; }
};

std::uint64_t encode_length_word(std::uint64_t record_bytes);
frame_size decode_length_word(std::uint64_t word);

// Size of the marshalled walpb.Record for these fields.
std::size_t record_size(record_type type, std::uint32_t crc, std::size_t data_size, bool has_data);

// Appends one complete frame. `has_data` false omits field 3 (etcd's crc record).
void append_frame(record_type type, std::uint32_t crc, std::string_view data, bool has_data,
                  std::string& out);

struct wal_record {
  std::int64_t type = 0;
  std::uint32_t crc = 0;
  std::string_view data;  // points into the decoded buffer
  bool has_data = false;
};

// Decodes a marshalled walpb.Record (without length word or padding).
result<wal_record> decode_record(std::string_view bytes);

}  // namespace raftvault::codec
