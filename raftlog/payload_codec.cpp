// payload_codec: the one place where raft payloads meet the ciphers. Happy path: seal every
// entry of a batch into a new vector (nothing is written by the caller until all succeeded),
// open each entry after read_all. Failure modes: a null sealing key fails seal_* with
// invalid_argument (codec::seal) and a null opening key is never tried, so a wiped key cannot
// crash the log; open errors from codec::open (wrong_key / missing_key / corruption /
// unsupported_algorithm) already name the record's place (kind, index, term) and are returned
// unchanged: the encrypted log wraps them once with the directory.
#include "raftlog/payload_codec.h"

#include <algorithm>

#include <sodium.h>

#include "codec/batch_sealer.h"
#include "codec/error.h"

namespace raftvault::raftlog {

codec::record_place place_of(const entry& e) {
  return codec::entry_place(e.index, e.term, static_cast<std::uint32_t>(e.type));
}

namespace {

codec::record_place place_of(const snapshot& s) {
  return codec::snapshot_place(s.metadata.index, s.metadata.term);
}

}  // namespace

result<std::shared_ptr<const payload_codec>> payload_codec::make(
    codec::cipher cipher, std::optional<held_key> sealing, std::vector<held_key> opening) {
  if (cipher == codec::cipher::none) {
    if (sealing || !opening.empty()) {
      return error(errc::invalid_argument, "payload codec: cipher none takes no keys");
    }
    return plaintext();
  }
  if (sealing) {
    // Generation 0 ("not recorded") is compared by key bytes: secretbox stores have no ids.
    const bool listed = std::any_of(opening.begin(), opening.end(), [&](const held_key& k) {
      return k.ref.generation == sealing->ref.generation && k.ref.bytes == sealing->ref.bytes;
    });
    if (!listed) {
      return error(errc::invalid_argument,
                   "payload codec: sealing key generation " +
                       std::to_string(sealing->ref.generation) + " is not one of the opening keys");
    }
  }
  std::shared_ptr<payload_codec> made(new payload_codec());
  made->cipher_ = cipher;
  made->sealing_ = std::move(sealing);
  made->opening_ = std::move(opening);
  for (const held_key& key : made->opening_) {
    if (key.ref.bytes != nullptr) made->opening_refs_.push_back(key.ref);
  }
  return std::shared_ptr<const payload_codec>(std::move(made));
}

std::shared_ptr<const payload_codec> payload_codec::plaintext() {
  static const std::shared_ptr<const payload_codec> identity(new payload_codec());
  return identity;
}

std::uint32_t payload_codec::sealing_generation() const {
  return sealing_ ? sealing_->ref.generation : 0;
}

std::vector<std::uint32_t> payload_codec::opening_generations() const {
  std::vector<std::uint32_t> generations;
  for (const held_key& key : opening_) generations.push_back(key.ref.generation);
  return generations;
}

result<std::vector<entry>> payload_codec::seal_entries(const std::vector<entry>& plain) const {
  if (!encrypted()) return plain;
  if (!sealing_) {
    return error(errc::invalid_argument, "payload codec: no sealing key (open-only codec)");
  }
  std::vector<entry> sealed;
  sealed.reserve(plain.size());
  RV_ASSIGN(codec::batch_sealer sealer, entry_sealer(plain.size()));
  for (const entry& e : plain) {
    RV_ASSIGN(std::string record, sealer.seal(e.data, place_of(e)));
    sealed.push_back(entry{e.term, e.index, e.type, std::move(record)});
  }
  return sealed;
}

result<codec::batch_sealer> payload_codec::entry_sealer(std::size_t records) const {
  if (!sealing_) {
    return error(errc::invalid_argument, "payload codec: no sealing key (open-only codec)");
  }
  return codec::batch_sealer(cipher_, sealing_->ref, records);
}

result<entry> payload_codec::open_entry(const entry& stored) const {
  if (!encrypted()) return stored;
  RV_ASSIGN(std::string data, codec::open(opening_refs_, stored.data, place_of(stored),
                                          codec::none_records::refuse));
  return entry{stored.term, stored.index, stored.type, std::move(data)};
}

result<snapshot> payload_codec::seal_snapshot(const snapshot& plain) const {
  if (!encrypted()) return plain;
  if (!sealing_) {
    return error(errc::invalid_argument, "payload codec: no sealing key (open-only codec)");
  }
  RV_ASSIGN(std::string record, codec::seal(cipher_, sealing_->ref, plain.data, place_of(plain)));
  return snapshot{std::move(record), plain.metadata};
}

result<snapshot> payload_codec::open_snapshot(const snapshot& stored) const {
  if (!encrypted()) return stored;
  RV_ASSIGN(std::string data, codec::open(opening_refs_, stored.data, place_of(stored),
                                          codec::none_records::refuse));
  return snapshot{std::move(data), stored.metadata};
}

result<std::shared_ptr<const payload_codec>> payload_codec::with_sealing_key(held_key key) const {
  if (!encrypted()) {
    return error(errc::invalid_argument, "payload codec: a plaintext codec takes no sealing key");
  }
  std::vector<held_key> opening = opening_;
  // Same generation and same bytes (a fresh copy of a held key, e.g. a resumed rotation):
  // keep sealing with the copy already held.
  const auto same_key = [&](const held_key& k) {
    return k.ref.generation == key.ref.generation && k.ref.bytes != nullptr &&
           key.ref.bytes != nullptr &&
           (k.ref.bytes == key.ref.bytes ||
            sodium_memcmp(k.ref.bytes, key.ref.bytes, codec::kKeyBytes) == 0);
  };
  if (auto it = std::find_if(opening.begin(), opening.end(), same_key); it != opening.end()) {
    key = *it;
  } else {
    for (const held_key& k : opening) {
      if (k.ref.generation == key.ref.generation && key.ref.generation != 0) {
        return error(errc::invalid_argument, "payload codec: generation " +
                                                 std::to_string(key.ref.generation) +
                                                 " is already held with other key bytes");
      }
    }
    opening.push_back(key);
  }
  return make(cipher_, std::move(key), std::move(opening));
}

result<std::shared_ptr<const payload_codec>> payload_codec::without_key(
    std::uint32_t retired) const {
  if (sealing_ && sealing_->ref.generation == retired) {
    return error(errc::invalid_argument, "payload codec: cannot retire generation " +
                                             std::to_string(retired) + ", it is the sealing key");
  }
  std::vector<held_key> opening;
  for (const held_key& k : opening_) {
    if (k.ref.generation != retired) opening.push_back(k);
  }
  if (opening.size() == opening_.size()) {
    return error(errc::not_found, "payload codec: key generation " + std::to_string(retired) +
                                      " is not held");
  }
  return make(cipher_, sealing_, std::move(opening));
}

}  // namespace raftvault::raftlog
