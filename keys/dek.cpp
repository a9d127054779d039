#include "keys/dek.h"

#include "codec/error.h"

namespace raftvault::keys {

result<dek> dek::clone() const {
  RV_ASSIGN(auto copy, key.clone());
  return dek{generation, std::move(copy)};
}

result<dek> generate_dek(std::uint32_t generation) {
  if (generation == 0) {
    return error(errc::invalid_argument, "DEK generation 0 is reserved for \"no key_id\"");
  }
  RV_ASSIGN(auto bytes, secret_bytes::random(codec::kKeyBytes));
  return dek{generation, std::move(bytes)};
}

}  // namespace raftvault::keys
