#include "raftlog/snap_file.h"

#include <cinttypes>
#include <cstdio>
#include <exception>
#include <limits>

#include "codec/crc32c.h"
#include "codec/proto/snappb.pb.h"
#include "codec/raft_codec.h"
#include "raftlog/hex_name.h"

namespace raftvault::raftlog {
namespace {

std::string hex32(std::uint32_t value) {
  char text[16];
  std::snprintf(text, sizeof text, "%08" PRIx32, value);
  return text;
}

}  // namespace

std::string snap_file_name(const snapshot_marker& marker) {
  return format_hex_name(marker.term, marker.index, kSnapSuffix);
}

std::optional<snapshot_marker> parse_snap_file_name(std::string_view name) {
  auto parsed = parse_hex_name(name, kSnapSuffix);
  if (!parsed) return std::nullopt;
  return snapshot_marker{parsed->second, parsed->first};  // the name is term, then index
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
