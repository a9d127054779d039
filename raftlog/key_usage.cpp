// Which DEK generations a restart still needs, read from record headers alone (no keys, no
// decryption): the rotation's retire step deletes a key only when no retained record uses it.
#include <set>

#include "codec/cipher.h"
#include "codec/error.h"
#include "raftlog/encrypted_log_internal.h"

namespace raftvault::raftlog {
namespace {

status note_generation(std::string_view record, const std::string& what,
                       std::set<std::uint32_t>& generations) {
  auto header = codec::inspect_record(record);
  if (!header) return header.error().with_context(what);
  generations.insert(header->key_id);
  return {};
}

std::string place(const char* kind, std::uint64_t index, std::uint64_t term) {
  return std::string(kind) + " index " + std::to_string(index) + " term " + std::to_string(term);
}

}  // namespace

result<std::vector<std::uint32_t>> key_generations_in_use(const std::string& data_dir) {
  RV_ASSIGN(store_layout layout, detect_layout(data_dir));
  if (!layout.encrypted) return std::vector<std::uint32_t>();
  auto markers = valid_snapshot_markers(layout.wal_dir());
  if (!markers) return markers.error().with_context("key usage of " + data_dir);
  RV_ASSIGN(auto snap, detail::load_newest_snapshot(layout.snap_dir(), *markers, nullptr,
                                                    /*rename_broken=*/false));
  std::set<std::uint32_t> generations;
  snapshot_marker at;
  if (snap) {
    at = snap->marker();
    RV_TRY(note_generation(snap->data, layout.snap_dir() + ": " + place("snapshot", at.index, at.term),
                           generations));
  }
  auto contents = read_wal(layout.wal_dir(), at);
  if (!contents) return contents.error().with_context("key usage of " + data_dir);
  for (const entry& e : contents->entries) {
    RV_TRY(note_generation(e.data, layout.wal_dir() + ": " + place("entry", e.index, e.term),
                           generations));
  }
  return std::vector<std::uint32_t>(generations.begin(), generations.end());
}

}  // namespace raftvault::raftlog
