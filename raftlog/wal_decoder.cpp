#include "raftlog/wal_decoder.h"

#include <algorithm>

#include "codec/crc32c.h"
#include "codec/raft_codec.h"
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

// Whether [body, body + size) of a frame starting in the file at `file_offset` has a piece,
// split on the file's sector boundaries, that is all zeros: the write never reached it.
bool has_zero_piece(const char* body, std::uint64_t file_offset, std::uint64_t size) {
  std::uint64_t done = 0;
  while (done < size) {
    const std::uint64_t at = file_offset + done;
    const std::uint64_t piece = std::min(kSectorBytes - at % kSectorBytes, size - done);
    if (all_zero(body + done, static_cast<std::size_t>(piece))) return true;
    done += piece;
  }
  return false;
}

std::uint64_t round_up8(std::uint64_t n) { return (n + 7) & ~std::uint64_t{7}; }

// A length word etcd's encoder can write: padding only with its flag, frames 8-aligned.
bool plausible_length_word(std::uint64_t word, codec::frame_size& size) {
  if (word == 0) return false;
  const std::uint64_t flags = word >> 56;
  if (flags != 0 && (flags & 0xF8) != 0x80) return false;
  size = codec::decode_length_word(word);
  if (size.record_bytes == 0 || size.record_bytes >= codec::kMaxRecordBytes) return false;
  return (size.record_bytes + size.padding) % codec::kFrameAlignment == 0;
}

bool well_formed_record(std::string_view bytes) {
  auto record = codec::decode_record(bytes);
  if (!record) return false;
  switch (static_cast<codec::record_type>(record->type)) {
    case codec::record_type::metadata: return true;
    case codec::record_type::crc: return !record->has_data;
    case codec::record_type::entry: return codec::decode_entry(record->data).has_value();
    case codec::record_type::state: return codec::decode_hard_state(record->data).has_value();
    case codec::record_type::snapshot:
      return codec::decode_snapshot_marker(record->data).has_value();
  }
  return false;
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
  garbage_after_end_ = false;
  if (auto opened = window_.open(paths_[file]); !opened) {
    failure_ = opened.error();
    return false;
  }
  loaded_ = true;
  return true;
}

bool wal_decoder::well_formed_frame_at(std::uint64_t offset) {
  const std::uint64_t size = window_.size();
  if (offset + codec::kLengthWordBytes > size) return false;
  auto word_bytes = window_.view(offset, codec::kLengthWordBytes);
  if (!word_bytes) return false;
  codec::frame_size frame;
  if (!plausible_length_word(load_le64(*word_bytes), frame)) return false;
  const std::uint64_t body = offset + codec::kLengthWordBytes;
  if (frame.record_bytes + frame.padding > size - body) return false;
  auto record = window_.view(body, static_cast<std::size_t>(frame.record_bytes));
  return record && well_formed_record(std::string_view(*record, frame.record_bytes));
}

result<std::uint64_t> wal_decoder::next_well_formed_frame(std::uint64_t offset) {
  std::uint64_t candidate = round_up8(offset + 1);
  while (candidate < window_.size()) {
    // Zero runs cannot start a frame: jump to the word holding the next non-zero byte.
    RV_ASSIGN(const std::uint64_t nonzero, window_.first_nonzero(candidate));
    if (nonzero >= window_.size()) break;
    candidate = std::max(candidate, nonzero & ~std::uint64_t{7});
    if (well_formed_frame_at(candidate)) return candidate;
    candidate += codec::kFrameAlignment;
  }
  return window_.size();
}

decode_status wal_decoder::torn_or_corrupt(std::uint64_t offset, std::uint64_t frame_end,
                                           const std::string& what) {
  auto follower = next_well_formed_frame(offset);
  if (!follower) {
    failure_ = follower.error();
    return decode_status::io_error;
  }
  if (*follower < window_.size()) {
    return fail(decode_status::corruption, offset,
                what + "; not a torn write: a well-formed frame follows at byte offset " +
                    std::to_string(*follower));
  }
  if (frame_end != 0) {
    auto nonzero = window_.first_nonzero(frame_end);
    if (!nonzero) {
      failure_ = nonzero.error();
      return decode_status::io_error;
    }
    if (*nonzero < window_.size()) {
      return fail(decode_status::corruption, offset,
                  what + "; not a torn write: non-zero bytes at byte offset " +
                      std::to_string(*nonzero) + " follow the frame's end");
    }
  }
  return fail(decode_status::torn_tail, offset, what);
}

decode_status wal_decoder::end_of_last_segment(std::uint64_t offset) {
  auto nonzero = window_.first_nonzero(offset);
  if (!nonzero) {
    failure_ = nonzero.error();
    return decode_status::io_error;
  }
  if (*nonzero < window_.size()) {
    auto follower = next_well_formed_frame(offset);
    if (!follower) {
      failure_ = follower.error();
      return decode_status::io_error;
    }
    if (*follower < window_.size()) {
      return fail(decode_status::corruption, offset,
                  "a zero length word ends the log here, but a well-formed frame follows at "
                  "byte offset " + std::to_string(*follower) + " (a zeroed or lost sector)");
    }
    garbage_after_end_ = true;
  }
  return decode_status::clean_end;
}

decode_status wal_decoder::next(decoded_record& out) {
  if (paths_.empty()) return decode_status::clean_end;
  if (!loaded_ && !load(0)) return decode_status::io_error;
  for (;;) {
    const std::uint64_t offset = valid_end_;
    const std::uint64_t remaining = window_.size() - offset;
    std::uint64_t word = 0;
    if (remaining >= codec::kLengthWordBytes) {
      auto bytes = window_.view(offset, codec::kLengthWordBytes);
      if (!bytes) {
        failure_ = bytes.error();
        return decode_status::io_error;
      }
      word = load_le64(*bytes);
    }
    if (remaining == 0 || (remaining >= codec::kLengthWordBytes && word == 0)) {
      if (is_last()) return end_of_last_segment(offset);
      if (!load(file_ + 1)) return decode_status::io_error;
      continue;
    }
    if (remaining > 0 && remaining < codec::kLengthWordBytes) {
      // Zeros too few for a length word end a segment as a zero word does: nothing was written
      // there (a repair keeps the file's size, so they stay after one).
      auto nonzero = window_.first_nonzero(offset);
      if (!nonzero) {
        failure_ = nonzero.error();
        return decode_status::io_error;
      }
      if (*nonzero >= window_.size()) {
        if (is_last()) return decode_status::clean_end;
        if (!load(file_ + 1)) return decode_status::io_error;
        continue;
      }
      const std::string what = "partial length word (" + std::to_string(remaining) + " bytes)";
      return is_last() ? torn_or_corrupt(offset, 0, what)
                       : fail(decode_status::corruption, offset, what);
    }

    const auto size = codec::decode_length_word(word);
    if (size.record_bytes >= codec::kMaxRecordBytes - size.padding) {
      return fail(decode_status::corruption, offset,
                  "record length " + std::to_string(size.record_bytes) +
                      " reaches etcd's 10 MiB WAL record limit (" +
                      std::to_string(codec::kMaxRecordBytes) + " bytes)");
    }
    const std::uint64_t body = offset + codec::kLengthWordBytes;
    const std::uint64_t body_bytes = size.record_bytes + size.padding;
    if (body_bytes > window_.size() - body) {
      const std::string what = "frame of " + std::to_string(body_bytes) +
                               " bytes runs past the end of the file (" +
                               std::to_string(window_.size()) + " bytes)";
      return is_last() ? torn_or_corrupt(offset, 0, what)
                       : fail(decode_status::corruption, offset, what);
    }
    auto body_view = window_.view(body, static_cast<std::size_t>(body_bytes));
    if (!body_view) {
      failure_ = body_view.error();
      return decode_status::io_error;
    }
    const char* frame_body = *body_view;
    const bool torn = is_last() && has_zero_piece(frame_body, body, body_bytes);
    const std::uint64_t frame_end = body + body_bytes;
    auto damaged = [&](const std::string& what) {
      return torn ? torn_or_corrupt(offset, frame_end, what)
                  : fail(decode_status::corruption, offset, what);
    };
    auto record = codec::decode_record(
        std::string_view(frame_body, static_cast<std::size_t>(size.record_bytes)));
    if (!record) return damaged("malformed walpb.Record");
    const auto type = record->type;
    if (type < 1 || type > 5) return damaged("unknown WAL record type " + std::to_string(type));

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
        return damaged("CRC mismatch (record says " + std::to_string(record->crc) +
                       ", data gives " + std::to_string(expected) + ")");
      }
      crc_ = expected;
    }
    valid_end_ = frame_end;
    out.record = *record;
    out.file = file_;
    out.offset = offset;
    return decode_status::record;
  }
}

}  // namespace raftvault::raftlog
