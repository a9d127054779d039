// A data encryption key: 32 CSPRNG bytes in guarded memory and its generation, the key_id that
// every record sealed with it carries. Generations start at 1 and grow by one per rotation.
#pragma once

#include <cstdint>

#include "codec/cipher.h"
#include "keys/secret_bytes.h"

namespace raftvault::keys {

struct dek {
  std::uint32_t generation = 0;
  secret_bytes key;  // codec::kKeyBytes bytes

  // Borrowed view for codec::seal/open; valid while this dek lives.
  codec::key_ref ref() const { return codec::key_ref{generation, key.data()}; }
  result<dek> clone() const;
};

result<dek> generate_dek(std::uint32_t generation);

}  // namespace raftvault::keys
