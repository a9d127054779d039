#include "raftlog/entry_reader.h"

#include <fcntl.h>

#include <cerrno>

#include "codec/crc32c.h"
#include "codec/raft_codec.h"
#include "codec/wal_record.h"
#include "fileio/file.h"
#include "raftlog/encrypted_log_internal.h"
#include "raftlog/segment_name.h"

namespace raftvault::raftlog {
namespace {

// Adjacent frames are read with one pread up to this many bytes (a frame larger than it alone).
constexpr std::uint64_t kSpanBytes = 4 << 20;

std::uint64_t load_le64(const char* p) {
  std::uint64_t word = 0;
  for (int i = 7; i >= 0; --i) word = word << 8 | static_cast<unsigned char>(p[i]);
  return word;
}

error released(const std::string& path, std::uint64_t index) {
  return error(errc::not_found, "entry " + std::to_string(index) + " is compacted: its segment " +
                                    path + " was released");
}

// A failed open or read: the segment released meanwhile (gone, or renamed out of the log before
// its space is given back), or a real failure.
error read_failure(const error& cause, const std::string& path, std::uint64_t index) {
  if (cause.sys_errno() == ENOENT || !fileio::exists(path)) return released(path, index);
  return cause;
}

// Checks one frame against its location and decodes it.
result<entry> decode_frame(const char* frame, const entry_location& where, std::uint64_t index,
                           const std::string& path) {
  auto damaged = [&](const std::string& what) {
    return error(errc::corruption, path + " at byte offset " + std::to_string(where.offset) +
                                       ": entry " + std::to_string(index) + ": " + what);
  };
  if (where.frame_bytes < codec::kLengthWordBytes)
    return damaged("the entry index gives a frame of " + std::to_string(where.frame_bytes) + " bytes");
  const codec::frame_size size = codec::decode_length_word(load_le64(frame));
  if (size.total() != where.frame_bytes) {
    return damaged("the length word gives a frame of " + std::to_string(size.total()) +
                   " bytes, the entry index " + std::to_string(where.frame_bytes));
  }
  auto record = codec::decode_record(std::string_view(
      frame + codec::kLengthWordBytes, static_cast<std::size_t>(size.record_bytes)));
  if (!record) return damaged("malformed walpb.Record");
  if (record->type != static_cast<std::int64_t>(codec::record_type::entry))
    return damaged("a record of type " + std::to_string(record->type) + ", not an entry");
  const std::uint32_t expected = codec::crc32c_update(where.crc_before, record->data);
  if (record->crc != expected) {
    return damaged("CRC mismatch (record says " + std::to_string(record->crc) +
                   ", the chain before it and its data give " + std::to_string(expected) + ")");
  }
  auto decoded = codec::decode_entry(record->data);
  if (!decoded) return damaged(decoded.error().message());
  if (decoded->index != index || decoded->term != where.term) {
    return damaged("the record holds entry " + std::to_string(decoded->index) + " of term " +
                   std::to_string(decoded->term) + ", the entry index expects term " +
                   std::to_string(where.term));
  }
  return decoded;
}

}  // namespace

result<std::vector<entry>> entry_reader::read(const located_entries& where) const {
  std::vector<entry> out;
  out.reserve(where.locations.size());
  const auto& locs = where.locations;
  fileio::file segment;
  std::uint64_t open_seq = 0;
  std::string path;
  std::string buffer;
  for (std::size_t i = 0; i < locs.size();) {
    const std::uint64_t index = where.first_index + i;
    if (!segment.is_open() || open_seq != locs[i].segment_seq) {
      const segment_ref* ref = nullptr;
      for (const auto& s : where.segments)
        if (s.sequence == locs[i].segment_seq) ref = &s;
      if (ref == nullptr) {
        return error(errc::invalid_argument, "entry " + std::to_string(index) + ": segment " +
                                                 std::to_string(locs[i].segment_seq) +
                                                 " is not among the located segments");
      }
      path = dir_ + "/" + format_segment_name(ref->sequence, ref->first_index);
      auto opened = fileio::file::open(path, O_RDONLY);
      if (!opened) return read_failure(opened.error(), path, index);
      segment = std::move(opened).value();
      open_seq = ref->sequence;
    }
    // A run of adjacent frames in this segment, read with one pread.
    std::size_t end = i + 1;
    std::uint64_t span = locs[i].frame_bytes;
    while (end < locs.size() && locs[end].segment_seq == open_seq &&
           locs[end].offset == locs[end - 1].offset + locs[end - 1].frame_bytes &&
           span + locs[end].frame_bytes <= kSpanBytes) {
      span += locs[end].frame_bytes;
      ++end;
    }
    buffer.resize(static_cast<std::size_t>(span));
    if (auto got = segment.pread_exact(buffer.data(), buffer.size(), locs[i].offset); !got)
      return read_failure(got.error(), path, index);
    std::uint64_t at = 0;
    for (std::size_t j = i; j < end; ++j) {
      RV_ASSIGN(entry e, decode_frame(buffer.data() + at, locs[j], where.first_index + j, path));
      out.push_back(std::move(e));
      at += locs[j].frame_bytes;
    }
    i = end;
  }
  return out;
}

result<std::vector<entry>> entry_reader::read_open(const located_entries& where,
                                                   const payload_codec& codec) const {
  RV_ASSIGN(auto entries, read(where));
  RV_TRY(detail::open_entries(codec, dir_, entries));
  return entries;
}

}  // namespace raftvault::raftlog
