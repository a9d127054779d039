#include "raftlog/snap_file.h"

#include <cinttypes>
#include <cstdio>
#include <exception>
#include <limits>

#include "codec/crc32c.h"
#include "codec/proto/snappb.pb.h"
#include "codec/raft_codec.h"

namespace raftvault::raftlog {
namespace {

constexpr std::size_t kHexWidth = 16;

std::optional<std::uint64_t> parse_hex16(std::string_view text) {
  if (text.size() != kHexWidth) return std::nullopt;
  std::uint64_t value = 0;
  for (char c : text) {
    int digit;
    if (c >= '0' && c <= '9') digit = c - '0';
    else if (c >= 'a' && c <= 'f') digit = c - 'a' + 10;
    else return std::nullopt;  // etcd writes lower case only
    value = value << 4 | static_cast<std::uint64_t>(digit);
  }
  return value;
}

std::string hex32(std::uint32_t value) {
  char text[16];
  std::snprintf(text, sizeof text, "%08" PRIx32, value);
  return text;
}

}  // namespace

std::string snap_file_name(const snapshot_marker& marker) {
  char name[64];
  std::snprintf(name, sizeof name, "%016" PRIx64 "-%016" PRIx64 ".snap", marker.term,
                marker.index);
  return name;
}

std::optional<snapshot_marker> parse_snap_file_name(std::string_view name) {
  if (name.size() != 2 * kHexWidth + 1 + kSnapSuffix.size()) return std::nullopt;
  if (name.substr(2 * kHexWidth + 1) != kSnapSuffix || name[kHexWidth] != '-') return std::nullopt;
  auto term = parse_hex16(name.substr(0, kHexWidth));
  auto index = parse_hex16(name.substr(kHexWidth + 1, kHexWidth));
  if (!term || !index) return std::nullopt;
  return snapshot_marker{*index, *term};
}

std::string encode_snap_file(const snapshot& snap) {
  const std::string data = codec::encode_snapshot(snap);
  snappb::Snapshot file;
  // proto2 presence: both fields are set explicitly, so both are written (as gogoproto does).
  file.set_crc(codec::crc32c_update(0, data));
  file.set_data(data);
  return file.SerializeAsString();
}

result<snapshot> decode_snap_file(std::string_view bytes, const std::string& path) {
  if (bytes.empty()) return error(errc::corruption, path + ": empty snapshot file");
  if (bytes.size() > static_cast<std::size_t>(std::numeric_limits<int>::max()))
    return error(errc::corruption, path + ": snapshot file larger than protobuf can parse");
  snappb::Snapshot file;
  bool parsed = false;
  try {
    parsed = file.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()));
  } catch (const std::exception& e) {
    return error(errc::corruption, path + ": snappb.Snapshot does not parse: " + e.what());
  }
  if (!parsed) return error(errc::corruption, path + ": snappb.Snapshot does not parse");
  if (file.data().empty() || file.crc() == 0)
    return error(errc::corruption, path + ": empty snapshot (crc 0 or no data)");
  const std::uint32_t actual = codec::crc32c_update(0, file.data());
  if (actual != file.crc())
    return error(errc::corruption, path + ": crc mismatch: stored " + hex32(file.crc()) +
                                       ", computed " + hex32(actual));
  auto snap = codec::decode_snapshot(file.data());
  if (!snap) return snap.error().with_context(path);
  return snap;
}

}  // namespace raftvault::raftlog
