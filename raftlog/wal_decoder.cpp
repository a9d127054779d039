#include "raftlog/wal_decoder.h"

#include <algorithm>

#include "codec/crc32c.h"
#include "fileio/file.h"
#include "raftlog/wal_format.h"

namespace raftvault::raftlog {
namespace {

std::uint64_t load_le64(const char* p) {
  std::uint64_t word = 0;
  for (int i = 7; i >= 0; --i) word = word << 8 | static_cast<unsigned char>(p[i]);
  return word;
}

bool all_zero(const char* p, std::size_t n) {
  return std::all_of(p, p + n, [](char c) { return c == 0; });
}

}  // namespace

decode_status wal_decoder::fail(decode_status kind, std::uint64_t offset, const std::string& what) {
  const errc code = kind == decode_status::torn_tail ? errc::torn_tail : errc::corruption;
  failure_ = error(code, (kind == decode_status::torn_tail ? "torn write in " : "") +
                             paths_[file_] + " at byte offset " + std::to_string(offset) + ": " +
                             what);
  return kind;
}

bool wal_decoder::load(std::size_t file) {
  file_ = file;
  valid_end_ = 0;
  auto bytes = fileio::read_file(paths_[file]);
  if (!bytes) {
    failure_ = bytes.error();
    return false;
  }
  bytes_ = std::move(bytes).value();
  loaded_ = true;
  return true;
}

bool wal_decoder::has_zero_sector(std::uint64_t offset, std::uint64_t size) const {
  // Split [offset, offset+size) on sector boundaries of the file; one all-zero piece means the
  // write never reached that sector.
  const std::uint64_t end = std::min<std::uint64_t>(offset + size, bytes_.size());
  while (offset < end) {
    const std::uint64_t piece = std::min(kSectorBytes - offset % kSectorBytes, end - offset);
    if (all_zero(bytes_.data() + offset, piece)) return true;
    offset += piece;
  }
  return false;
}

bool wal_decoder::garbage_after_end() const {
  if (valid_end_ >= bytes_.size()) return false;
  return !all_zero(bytes_.data() + valid_end_, bytes_.size() - valid_end_);
}

decode_status wal_decoder::next(decoded_record& out) {
  if (paths_.empty()) return decode_status::clean_end;
  if (!loaded_ && !load(0)) return decode_status::io_error;
  for (;;) {
    const std::uint64_t offset = valid_end_;
    const std::uint64_t remaining = bytes_.size() - offset;
    std::uint64_t word = 0;
    if (remaining >= codec::kLengthWordBytes) word = load_le64(bytes_.data() + offset);
    if (remaining == 0 || (remaining >= codec::kLengthWordBytes && word == 0)) {
      if (is_last()) return decode_status::clean_end;
      if (!load(file_ + 1)) return decode_status::io_error;
      continue;
    }
    const auto kind = is_last() ? decode_status::torn_tail : decode_status::corruption;
    if (remaining < codec::kLengthWordBytes)
      return fail(kind, offset, "partial length word (" + std::to_string(remaining) + " bytes)");

    const auto size = codec::decode_length_word(word);
    if (size.record_bytes >= codec::kMaxRecordBytes - size.padding) {
      return fail(decode_status::corruption, offset,
                  "record length " + std::to_string(size.record_bytes) +
                      " reaches etcd's 10 MiB WAL record limit (" +
                      std::to_string(codec::kMaxRecordBytes) + " bytes)");
    }
    const std::uint64_t body = offset + codec::kLengthWordBytes;
    const std::uint64_t body_bytes = size.record_bytes + size.padding;
    if (body_bytes > bytes_.size() - body) {
      return fail(kind, offset, "frame of " + std::to_string(body_bytes) +
                                    " bytes runs past the end of the file (" +
                                    std::to_string(bytes_.size()) + " bytes)");
    }
    const bool torn = is_last() && has_zero_sector(body, body_bytes);
    const auto damaged = torn ? decode_status::torn_tail : decode_status::corruption;
    auto record = codec::decode_record(
        std::string_view(bytes_.data() + body, static_cast<std::size_t>(size.record_bytes)));
    if (!record) return fail(damaged, offset, "malformed walpb.Record");
    const auto type = record->type;
    if (type < 1 || type > 5)
      return fail(damaged, offset, "unknown WAL record type " + std::to_string(type));

    if (type == static_cast<std::int64_t>(codec::record_type::crc)) {
      // The first crc record seeds the chain (etcd does not check it against 0).
      if (crc_ != 0 && record->crc != crc_) {
        return fail(decode_status::corruption, offset,
                    "crc record " + std::to_string(record->crc) +
                        " does not continue the running CRC " + std::to_string(crc_));
      }
      crc_ = record->crc;
    } else {
      const std::uint32_t expected = codec::crc32c_update(crc_, record->data);
      if (record->crc != expected) {
        return fail(damaged, offset,
                    "CRC mismatch (record says " + std::to_string(record->crc) + ", data gives " +
                        std::to_string(expected) + ")");
      }
      crc_ = expected;
    }
    valid_end_ = body + body_bytes;
    out.record = *record;
    out.file = file_;
    out.offset = offset;
    return decode_status::record;
  }
}

}  // namespace raftvault::raftlog
