// The unlock key (KEK): 32 CSPRNG bytes that wrap the DEKs and the TLS key in the key file.
//
// Text form shown to operators (docs/keys.md):
//   "RVKEK1-" + 56 characters of RFC 4648 base32 (A-Z, 2-7, no padding) encoding
//   35 bytes = the 32 key bytes || the first 3 bytes of BLAKE2b-256("RVKEK1" || key).
// Parsing ignores surrounding whitespace and accepts lower case. A typo fails the checksum and
// is reported as "malformed unlock key (checksum)" before any decryption is tried; a well-formed
// but wrong key is reported later, by the key file, as "wrong unlock key".
#pragma once

#include <string_view>

#include "codec/cipher.h"
#include "keys/secret_bytes.h"

namespace raftvault::keys {

constexpr std::string_view kUnlockKeyPrefix = "RVKEK1-";
constexpr std::size_t kUnlockKeyTextSize = 7 + 56;

class unlock_key {
 public:
  static result<unlock_key> generate();
  // errc::invalid_argument "malformed unlock key (<reason>)"; the message never echoes the input.
  static result<unlock_key> parse(std::string_view text);
  static result<unlock_key> from_bytes(std::string_view raw32);

  const secret_bytes& bytes() const { return bytes_; }
  // The operator's text form, in guarded memory (it is as secret as the key). It is also the
  // PKCS#8 password of the TLS key, so `openssl pkey -passin` works with it.
  result<secret_bytes> text() const;
  // For codec calls; the generation is filled in by the caller where it matters.
  codec::key_ref ref(std::uint32_t generation = 0) const {
    return codec::key_ref{generation, bytes_.data()};
  }
  bool same_as(const unlock_key& other) const { return bytes_.equals(other.bytes_); }
  result<unlock_key> clone() const;

 private:
  explicit unlock_key(secret_bytes bytes) : bytes_(std::move(bytes)) {}
  secret_bytes bytes_;
};

}  // namespace raftvault::keys
