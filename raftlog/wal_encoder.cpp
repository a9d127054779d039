#include "raftlog/wal_encoder.h"

#include <cstdlib>
#include <cstring>
#include <new>

#include "codec/crc32c.h"
#include "codec/wal_record.h"
#include "raftlog/wal_format.h"

namespace raftvault::raftlog {
namespace {

using codec::record_type;

// A direct writer's block size (tail_writer::kBlock) or a multiple of it.
constexpr std::size_t kBufferAlignment = 4096;

inline char* put_varint(char* p, std::uint64_t value) {
  while (value >= 0x80) {
    *p++ = static_cast<char>(value | 0x80);
    value >>= 7;
  }
  *p++ = static_cast<char>(value);
  return p;
}

inline std::size_t varint_bytes(std::uint64_t value) {
  std::size_t n = 1;
  while (value >= 0x80) {
    value >>= 7;
    ++n;
  }
  return n;
}

inline char* put_length_word(char* p, std::uint64_t word) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<char>((word >> (8 * i)) & 0xFF);
  return p + 8;
}

// The marshalled raftpb.Entry up to (not including) its data bytes: fields 1..3 always, and
// field 4's tag and length only when data is present (etcd's nil Data writes no field 4).
// Must stay byte-identical to codec::append_entry (tests compare them).
constexpr std::size_t kMaxEntryPrefix = 3 + 10 + 10 + 10 + 1 + 10;
std::size_t entry_prefix(const entry& e, std::size_t data_size, char* out) {
  char* p = out;
  *p++ = 0x08;
  p = put_varint(p, static_cast<std::uint64_t>(e.type));
  *p++ = 0x10;
  p = put_varint(p, e.term);
  *p++ = 0x18;
  p = put_varint(p, e.index);
  if (data_size != 0) {
    *p++ = 0x22;
    p = put_varint(p, data_size);
  }
  return static_cast<std::size_t>(p - out);
}

// Record header: type tag+value, crc tag+value, data tag+length.
constexpr std::size_t kMaxRecordHeader = 1 + 1 + 1 + 5 + 1 + 10;

}  // namespace

status wal_encoder::check_entry(const entry& e) { return check_entry(e, e.data.size()); }

status wal_encoder::check_entry(const entry& e, std::size_t data_size) {
  char prefix[kMaxEntryPrefix];
  const std::size_t entry_bytes = entry_prefix(e, data_size, prefix) + data_size;
  const std::size_t worst_record = 1 + 1 + 1 + 5 + 1 + varint_bytes(entry_bytes) + entry_bytes;
  if (worst_record + (codec::kFrameAlignment - 1) >= codec::kMaxRecordBytes) {
    return error(errc::invalid_argument,
                 "entry " + std::to_string(e.index) + " is too large for the WAL: its record of ~" +
                     std::to_string(worst_record) + " bytes reaches etcd's " +
                     std::to_string(codec::kMaxRecordBytes) + "-byte (10 MiB) record limit");
  }
  return {};
}

void wal_encoder::grow_to(std::size_t bytes) {
  if (bytes <= capacity_) return;
  std::size_t capacity = capacity_ == 0 ? 64 * 1024 : capacity_;
  while (capacity < bytes) capacity *= 2;
  void* memory = std::aligned_alloc(kBufferAlignment, capacity);  // capacity: a multiple of it
  if (memory == nullptr) throw std::bad_alloc();
  std::unique_ptr<char, void (*)(void*)> grown{static_cast<char*>(memory), &std::free};
  if (carried_ + size_ != 0) std::memcpy(grown.get(), buffer_.get(), carried_ + size_);
  buffer_ = std::move(grown);
  capacity_ = capacity;
}

char* wal_encoder::reserve(std::size_t bytes) {
  grow_to(carried_ + size_ + bytes);
  return buffer_.get() + carried_ + size_;
}

void wal_encoder::clear(std::string_view carried) {
  size_ = 0;
  carried_ = 0;
  if (carried.empty()) return;
  grow_to(carried.size());
  std::memcpy(buffer_.get(), carried.data(), carried.size());
  carried_ = carried.size();
}

char* wal_encoder::block_run(std::size_t length) {
  grow_to(length);
  return buffer_.get();
}

void wal_encoder::add_entry(const entry& e, std::string_view data) {
  char prefix[kMaxEntryPrefix];
  const std::size_t prefix_bytes = entry_prefix(e, data.size(), prefix);
  crc_ = codec::crc32c_update(crc_, prefix, prefix_bytes);
  if (!data.empty()) crc_ = codec::crc32c_update(crc_, data.data(), data.size());
  frame_entry(prefix, prefix_bytes, data);
}

void wal_encoder::add_entry(const entry& e, std::string_view data, std::uint32_t data_crc) {
  char prefix[kMaxEntryPrefix];
  const std::size_t prefix_bytes = entry_prefix(e, data.size(), prefix);
  crc_ = codec::crc32c_update(crc_, prefix, prefix_bytes);
  crc_ = codec::crc32c_combine(crc_, data_crc, data.size());
  frame_entry(prefix, prefix_bytes, data);
}

void wal_encoder::frame_entry(const char* prefix, std::size_t prefix_bytes, std::string_view data) {
  const std::size_t entry_bytes = prefix_bytes + data.size();
  const std::size_t record_bytes = 1 + 1 + 1 + varint_bytes(crc_) + 1 +
                                   varint_bytes(entry_bytes) + entry_bytes;
  const std::uint64_t word = codec::encode_length_word(record_bytes);
  const std::size_t padding = codec::decode_length_word(word).padding;

  char* start = reserve(codec::kLengthWordBytes + record_bytes + padding);
  char* p = put_length_word(start, word);
  *p++ = 0x08;
  *p++ = static_cast<char>(record_type::entry);
  *p++ = 0x10;
  p = put_varint(p, crc_);
  *p++ = 0x1a;
  p = put_varint(p, entry_bytes);
  std::memcpy(p, prefix, prefix_bytes);
  p += prefix_bytes;
  if (!data.empty()) std::memcpy(p, data.data(), data.size());
  p += data.size();
  std::memset(p, 0, padding);
  size_ += codec::kLengthWordBytes + record_bytes + padding;
  lag_.write(codec::kLengthWordBytes);
  lag_.write(record_bytes + padding);
}

void wal_encoder::add_frame(std::int64_t type, std::string_view data, bool has_data) {
  if (has_data) crc_ = codec::crc32c_update(crc_, data.data(), data.size());
  const std::size_t record_bytes =
      codec::record_size(static_cast<record_type>(type), crc_, data.size(), has_data);
  const std::uint64_t word = codec::encode_length_word(record_bytes);
  const std::size_t padding = codec::decode_length_word(word).padding;

  char* start = reserve(codec::kLengthWordBytes + kMaxRecordHeader + data.size() + 8);
  char* p = put_length_word(start, word);
  *p++ = 0x08;
  p = put_varint(p, static_cast<std::uint64_t>(type));
  *p++ = 0x10;
  p = put_varint(p, crc_);
  if (has_data) {
    *p++ = 0x1a;
    p = put_varint(p, data.size());
    if (!data.empty()) std::memcpy(p, data.data(), data.size());
    p += data.size();
  }
  std::memset(p, 0, padding);
  size_ += codec::kLengthWordBytes + record_bytes + padding;
  lag_.write(codec::kLengthWordBytes);
  lag_.write(record_bytes + padding);
}

void wal_encoder::add_state(const hard_state& state) {
  char data[3 + 30];
  char* p = data;
  *p++ = 0x08;
  p = put_varint(p, state.term);
  *p++ = 0x10;
  p = put_varint(p, state.vote);
  *p++ = 0x18;
  p = put_varint(p, state.commit);
  add_frame(static_cast<std::int64_t>(record_type::state),
            std::string_view(data, static_cast<std::size_t>(p - data)), true);
}

void wal_encoder::add_metadata(std::string_view metadata) {
  add_frame(static_cast<std::int64_t>(record_type::metadata), metadata, !metadata.empty());
}

void wal_encoder::add_snapshot(const snapshot_marker& marker) {
  char data[2 + 20];
  char* p = data;
  *p++ = 0x08;
  p = put_varint(p, marker.index);
  *p++ = 0x10;
  p = put_varint(p, marker.term);
  add_frame(static_cast<std::int64_t>(record_type::snapshot),
            std::string_view(data, static_cast<std::size_t>(p - data)), true);
}

void wal_encoder::add_crc() {
  add_frame(static_cast<std::int64_t>(record_type::crc), {}, false);
}

}  // namespace raftvault::raftlog
