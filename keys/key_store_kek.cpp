// KEK rotation and autolock (docs/keys.md): re-wrap the DEK headers and re-encrypt the TLS key
// under the new unlock key in one atomic replace; kek-version only grows.
#include "keys/key_store.h"

namespace raftvault::keys {

result<bool> key_store::update_kek(const unlock_key* kek, std::uint64_t version) {
  const std::uint64_t have = contents_.kek_version;
  if (version < have) return false;  // stale: a newer key is already installed
  if (version == have) {
    const bool same = (kek == nullptr && !kek_) || (kek != nullptr && kek_ && kek->same_as(*kek_));
    if (same) return false;
    return error(errc::invalid_argument, "kek-version " + std::to_string(version) +
                                             " is already installed with a different unlock key");
  }
  RV_ASSIGN(auto next, copy_contents());
  next.kek_version = version;
  // Locking a store whose DEK was stored unwrapped: that DEK may have been copied, retire it.
  if (!kek_ && kek != nullptr) next.needs_rotation = true;
  std::optional<unlock_key> next_kek;
  if (kek != nullptr) {
    RV_ASSIGN(auto copy, kek->clone());
    next_kek = std::move(copy);
  }
  RV_TRY(persist(std::move(next), std::move(next_kek)));
  return true;
}

result<unlock_key> key_store::rotate_kek() {
  if (!kek_) {
    return error(errc::invalid_argument,
                 "autolock is off: there is no unlock key to rotate (turn autolock on instead)");
  }
  RV_ASSIGN(auto fresh, unlock_key::generate());
  RV_TRY(update_kek(&fresh, contents_.kek_version + 1));
  return fresh;
}

result<std::optional<unlock_key>> key_store::set_autolock(bool on) {
  if (on == kek_.has_value()) return std::optional<unlock_key>();
  if (!on) {
    RV_TRY(update_kek(nullptr, contents_.kek_version + 1));
    return std::optional<unlock_key>();
  }
  RV_ASSIGN(auto fresh, unlock_key::generate());
  RV_TRY(update_kek(&fresh, contents_.kek_version + 1));
  return std::optional<unlock_key>(std::move(fresh));
}

}  // namespace raftvault::keys
