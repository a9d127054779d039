// KEK rotation and autolock (docs/keys.md): re-wrap the DEK headers and re-encrypt the TLS key
// under the new unlock key in one atomic replace; kek-version only grows.
#include "keys/key_store.h"

#include <limits>

#include "codec/error.h"

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

result<std::uint64_t> key_store::next_kek_version() const {
  // Wrapping to 0 would make update_kek ignore the new key as stale while its caller, told
  // nothing failed, handed the key out as the one in force.
  if (contents_.kek_version == std::numeric_limits<std::uint64_t>::max()) {
    return error(errc::invalid_argument,
                 "kek-version " + std::to_string(contents_.kek_version) + " of " + key_path() +
                     " is the largest there is: no newer unlock key can be installed");
  }
  return contents_.kek_version + 1;
}

result<unlock_key> key_store::rotate_kek() {
  if (!kek_) {
    return error(errc::invalid_argument,
                 "autolock is off: there is no unlock key to rotate (turn autolock on instead)");
  }
  RV_ASSIGN(const auto version, next_kek_version());
  RV_ASSIGN(auto fresh, unlock_key::generate());
  RV_TRY(update_kek(&fresh, version));
  return fresh;
}

result<std::optional<unlock_key>> key_store::set_autolock(bool on) {
  if (on == kek_.has_value()) return std::optional<unlock_key>();
  RV_ASSIGN(const auto version, next_kek_version());
  if (!on) {
    RV_TRY(update_kek(nullptr, version));
    return std::optional<unlock_key>();
  }
  RV_ASSIGN(auto fresh, unlock_key::generate());
  RV_TRY(update_kek(&fresh, version));
  return std::optional<unlock_key>(std::move(fresh));
}

}  // namespace raftvault::keys
