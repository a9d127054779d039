#include "actors/held_keys.h"

#include <memory>

#include "codec/error.h"
#include "keys/dek.h"

namespace raftvault::actors {

result<raftlog::held_key> hold_copy(codec::key_ref key) {
  if (key.bytes == nullptr) return error(errc::invalid_argument, "no key to hold");
  RV_ASSIGN(auto secret, keys::secret_bytes::copy_of(std::string_view(
                             reinterpret_cast<const char*>(key.bytes), codec::kKeyBytes)));
  auto owned = std::make_shared<keys::dek>(keys::dek{key.generation, std::move(secret)});
  return raftlog::held_key{owned->ref(), owned};
}

result<std::shared_ptr<const raftlog::payload_codec>> codec_for(const keys::key_store& store,
                                                                codec::cipher cipher) {
  if (cipher == codec::cipher::none) return raftlog::payload_codec::plaintext();
  std::vector<raftlog::held_key> opening;
  RV_ASSIGN(auto current, hold_copy(store.current_key()));
  opening.push_back(current);
  std::optional<raftlog::held_key> sealing = current;
  if (auto pending = store.pending_key()) {
    RV_ASSIGN(auto held, hold_copy(*pending));
    opening.push_back(held);
    sealing = held;
  }
  return raftlog::payload_codec::make(cipher, sealing, std::move(opening));
}

}  // namespace raftvault::actors
