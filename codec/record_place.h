// Where a sealed payload lives in the raft log. XChaCha20-Poly1305 records authenticate it as
// associated data, so a ciphertext moved to another entry, term, type or kind fails to open.
#pragma once

#include <cstdint>
#include <string>

namespace raftvault::codec {

struct record_place {
  enum class kind : std::uint8_t { entry = 1, snapshot = 2 } kind;
  std::uint64_t index;
  std::uint64_t term;
  std::uint32_t entry_type;  // raftpb.EntryType for entries; 0 for snapshots
};

inline record_place entry_place(std::uint64_t index, std::uint64_t term, std::uint32_t type) {
  return record_place{record_place::kind::entry, index, term, type};
}
inline record_place snapshot_place(std::uint64_t index, std::uint64_t term) {
  return record_place{record_place::kind::snapshot, index, term, 0};
}

// "entry index 42 term 3" / "snapshot index 20 term 2", the form error messages use.
std::string to_string(const record_place& place);

// The associated data of an XChaCha20-Poly1305 record, 33 bytes, fixed layout:
//   "raftvault/v1" (12 ASCII bytes, the domain tag)
//   kind          (1 byte: 1 entry, 2 snapshot)
//   index         (8 bytes, big-endian)
//   term          (8 bytes, big-endian)
//   entry_type    (4 bytes, big-endian)
// Changing this layout makes every existing record unreadable: bump the tag instead.
constexpr std::size_t kPlaceAssociatedDataSize = 33;
void encode_place_associated_data(const record_place& place,
                                  unsigned char out[kPlaceAssociatedDataSize]);

}  // namespace raftvault::codec
