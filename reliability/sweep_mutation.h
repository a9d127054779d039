// One damage the corruption sweep does to one file of a store, and how it is undone: a flipped
// bit, a truncation, a zeroed 512-byte sector, a deleted or renamed file.
#pragma once

#include <cstdint>
#include <string>

#include "codec/error.h"

namespace raftvault::reliability {

enum class mutation_kind { flip_bit, truncate, zero_sector, remove, rename };

struct mutation {
  mutation_kind kind = mutation_kind::flip_bit;
  std::string file;          // relative to the store's directory
  std::uint64_t offset = 0;  // flip: the byte; truncate: the new length; zero_sector: its start
  int bit = 0;               // flip: 0..7
  std::string renamed_to;    // rename: the new name, relative to the store's directory
  std::string region;        // where the byte is: "key file", "length word", "payload", ...
};

// "flip bit 3 of byte 63 (length word) of wal-v3/0000000000000000-0000000000000000.wal".
std::string describe(const mutation& m);

// Damages the store in `dir`; `saved` keeps what undo() needs. A truncation keeps nothing:
// undo() restores the file from `pristine_dir` (the same store, undamaged), so a run of
// truncations to ever shorter lengths costs one copy at the end, not one per length.
status apply(const std::string& dir, const mutation& m, std::string& saved);
status undo(const std::string& dir, const std::string& pristine_dir, const mutation& m,
            const std::string& saved);

// Copies every file of `from` into `to` (replaced if present), keeping the modes raftvault
// demands (0700 directories, 0600 files).
status copy_store(const std::string& from, const std::string& to);

}  // namespace raftvault::reliability
