#include "raftlog/wal_end.h"

#include <cerrno>
#include <cstring>

#include "codec/crc32c.h"
#include "fileio/file.h"
#include "raftlog/segment_name.h"
#include "raftlog/wal_format.h"

namespace raftvault::raftlog {
namespace {

// magic | version u32 | crc u32 | segment sequence u64 | segment first index u64 | offset u64 |
// last entry u64 | checksum u32 | zero u32, little-endian; the checksum is the CRC-32C of the
// 48 bytes before it.
constexpr char kMagic[8] = {'R', 'V', 'W', 'A', 'L', 'E', 'N', 'D'};
constexpr std::uint32_t kVersion = 1;
constexpr std::size_t kBytes = 56;
constexpr std::size_t kChecked = 48;

void put(std::string& out, std::uint64_t value, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

std::uint64_t get(const std::string& in, std::size_t at, int bytes) {
  std::uint64_t value = 0;
  for (int i = bytes - 1; i >= 0; --i)
    value = (value << 8) | static_cast<unsigned char>(in[at + static_cast<std::size_t>(i)]);
  return value;
}

std::string encode(const wal_end& end) {
  std::string out(kMagic, sizeof kMagic);
  put(out, kVersion, 4);
  put(out, end.crc, 4);
  put(out, end.segment_sequence, 8);
  put(out, end.segment_first_index, 8);
  put(out, end.offset, 8);
  put(out, end.last_entry, 8);
  put(out, codec::crc32c_update(0, out), 4);
  put(out, 0, 4);
  return out;
}

error damaged(const std::string& path, const std::string& what) {
  return error(errc::corruption, path + " (the WAL's recorded end) is damaged: " + what +
                                     "; the WAL itself may be intact: compare it with "
                                     "'raftvault verify', then remove this file to accept the "
                                     "WAL as it is");
}

std::string position(const std::string& segment, std::uint64_t offset) {
  return segment + " at byte offset " + std::to_string(offset);
}

// The way out once the damage is understood (the error itself changes nothing).
std::string accept_shorter(const std::string& dir) {
  return " (to open the log as it is, losing what was after its end, remove " +
         wal_end_path(dir) + ")";
}

}  // namespace

std::string wal_end_path(const std::string& dir) { return dir + "/" + kEndFileName; }

status write_wal_end(const std::string& dir, const wal_end& end) {
  return fileio::write_file_atomic(wal_end_path(dir), encode(end));
}

result<std::optional<wal_end>> read_wal_end(const std::string& dir) {
  const std::string path = wal_end_path(dir);
  auto bytes = fileio::read_file(path);
  if (!bytes) {
    if (bytes.error().sys_errno() == ENOENT) return std::optional<wal_end>{};
    return bytes.error();
  }
  const std::string& in = *bytes;
  if (in.size() != kBytes) {
    return damaged(path, std::to_string(in.size()) + " bytes, expected " +
                             std::to_string(kBytes));
  }
  if (std::memcmp(in.data(), kMagic, sizeof kMagic) != 0) return damaged(path, "bad magic");
  const auto checksum = static_cast<std::uint32_t>(get(in, kChecked, 4));
  if (codec::crc32c_update(0, in.data(), kChecked) != checksum || get(in, kChecked + 4, 4) != 0)
    return damaged(path, "checksum mismatch");
  if (get(in, 8, 4) != kVersion)
    return damaged(path, "unknown version " + std::to_string(get(in, 8, 4)));
  wal_end end;
  end.crc = static_cast<std::uint32_t>(get(in, 12, 4));
  end.segment_sequence = get(in, 16, 8);
  end.segment_first_index = get(in, 24, 8);
  end.offset = get(in, 32, 8);
  end.last_entry = get(in, 40, 8);
  return std::optional<wal_end>(end);
}

status remove_wal_end(const std::string& dir) {
  const std::string path = wal_end_path(dir);
  if (!fileio::exists(path)) return {};
  RV_TRY(fileio::unlink(path));
  return fileio::fsync_dir(dir);
}

std::string closed_end_text(const std::string& dir, const wal_end& end) {
  return "the WAL was closed cleanly at " +
         position(dir + "/" + format_segment_name(end.segment_sequence, end.segment_first_index),
                  end.offset) +
         " (recorded in " + wal_end_path(dir) + ")";
}

status check_reaches_end(const std::string& dir, const wal_end& end, const replayed_end& found) {
  const std::string ends_in =
      "WAL " + dir + " ends in " + position(dir + "/" + found.last.name, found.offset);
  if (found.last.sequence < end.segment_sequence) {
    return error(errc::corruption, ends_in + ", but " + closed_end_text(dir, end) +
                                       ": a later segment is missing or was renamed" +
                                       accept_shorter(dir));
  }
  if (found.last.sequence > end.segment_sequence || found.offset > end.offset) return {};
  if (found.offset < end.offset) {
    return error(errc::corruption, ends_in + ", but " + closed_end_text(dir, end) +
                                       ": the records after byte offset " +
                                       std::to_string(found.offset) + " are damaged or cut off" +
                                       accept_shorter(dir));
  }
  if (found.crc != end.crc) {
    return error(errc::corruption, ends_in + " where " + closed_end_text(dir, end) +
                                       ", but its CRC chain differs from the recorded one: the "
                                       "segment was replaced or rewritten");
  }
  if (found.last_entry != end.last_entry) {
    return error(errc::corruption,
                 ends_in + " where " + closed_end_text(dir, end) + ", but its last entry record "
                 "is " + std::to_string(found.last_entry) + " where it was " +
                     std::to_string(end.last_entry) +
                     ": a record's type was changed (etcd's CRC does not cover it)");
  }
  return {};
}

}  // namespace raftvault::raftlog
