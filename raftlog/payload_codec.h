// Seals and opens the payloads of a raft log (Entry.Data, Snapshot.data) with one cipher:
// seals with the current DEK, opens with every DEK held (current + pending during a
// rotation). Immutable and thread-safe: a key switch makes a new codec (with_sealing_key), so
// crypto workers can share one through a shared_ptr while the old one finishes its batch.
//
// cipher::none is the identity: plaintext stores are plain etcd WAL/snap directories.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "codec/batch_sealer.h"
#include "codec/cipher.h"
#include "codec/error_types.h"
#include "codec/raft_types.h"

namespace raftvault::raftlog {

// A DEK borrowed by the log; `owner` keeps the key memory (keys/ guarded memory) alive for as
// long as any codec refers to it, and wipes it when the last reference goes.
struct held_key {
  codec::key_ref ref{0, nullptr};
  std::shared_ptr<const void> owner;
};

// Where an entry's record sits (index, term, type): what XChaCha20-Poly1305 binds it to.
codec::record_place place_of(const entry& e);

class payload_codec {
 public:
  // `sealing` must be one of `opening` (or absent for cipher::none).
  static result<std::shared_ptr<const payload_codec>> make(codec::cipher cipher,
                                                           std::optional<held_key> sealing,
                                                           std::vector<held_key> opening);
  static std::shared_ptr<const payload_codec> plaintext();

  codec::cipher cipher() const { return cipher_; }
  bool encrypted() const { return cipher_ != codec::cipher::none; }
  std::uint32_t sealing_generation() const;
  std::vector<std::uint32_t> opening_generations() const;

  // All-or-nothing: on error nothing is returned (the caller writes nothing of the batch).
  result<std::vector<entry>> seal_entries(const std::vector<entry>& plain) const;
  result<entry> open_entry(const entry& stored) const;
  // A sealer for `records` entries under the sealing key (invalid_argument without one). It
  // borrows the key: use it while this codec is alive (raftlog/sealing_hook.h does).
  result<codec::batch_sealer> entry_sealer(std::size_t records) const;
  result<snapshot> seal_snapshot(const snapshot& plain) const;
  result<snapshot> open_snapshot(const snapshot& stored) const;

  // The same opening keys plus `key`, sealing with `key` (rotation: P becomes the sealer).
  result<std::shared_ptr<const payload_codec>> with_sealing_key(held_key key) const;
  // The same codec without generation `retired` (rotation's retire step).
  result<std::shared_ptr<const payload_codec>> without_key(std::uint32_t retired) const;

 private:
  payload_codec() = default;
  codec::cipher cipher_ = codec::cipher::none;
  std::optional<held_key> sealing_;
  std::vector<held_key> opening_;
  std::vector<codec::key_ref> opening_refs_;
};

}  // namespace raftvault::raftlog
