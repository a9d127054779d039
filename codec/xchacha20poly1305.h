// XChaCha20-Poly1305 (IETF), the bytes of libsodium's crypto_aead_xchacha20poly1305_ietf_*,
// computed by whichever implementation is faster for the payload's size. Internal to codec/.
//
// Why two: libsodium 1.0.18 (Debian 12) has no AVX-512 ChaCha20 or Poly1305; OpenSSL 3.0 has
// both and seals large payloads faster, but its EVP layer has a fixed cost per call, so below
// kOpenSslFromBytes libsodium wins. XChaCha20 is HChaCha20 (libsodium) to a
// per-record subkey, then ChaCha20-Poly1305 IETF with nonce 0x00000000 || nonce[16..24)
// (OpenSSL), exactly as libsodium composes it; tests pin every size to libsodium's bytes.
//
// Secrets: the DEK never leaves its caller's guarded memory. OpenSSL sees only the per-record
// subkey (one-way from the DEK and the record's nonce; it opens that record alone), in a
// context created and cleansed (EVP_CIPHER_CTX_free) within the call; the stack copy is wiped.
#pragma once

#include <cstddef>
#include <string_view>

namespace raftvault::codec::detail {

// Plaintexts from this size on go to OpenSSL (where its per-call cost is repaid, see above).
constexpr std::size_t kOpenSslFromBytes = 2048;

// Writes ciphertext || 16-byte tag (n + 16 bytes) to `out`. Never fails: if OpenSSL cannot
// do it (no provider, allocation failure) libsodium does, with the same bytes.
void xchacha_seal(unsigned char* out, const unsigned char* in, std::size_t n,
                  std::string_view ad, const unsigned char* nonce, const unsigned char* key);

// Authenticates `in` (ciphertext || tag, n + 16 bytes) and writes the n plaintext bytes to
// `out`. On failure returns false and leaves `out` zeroed: no unauthenticated byte escapes.
bool xchacha_open(unsigned char* out, const unsigned char* in, std::size_t n,
                  std::string_view ad, const unsigned char* nonce, const unsigned char* key);

// The two implementations, for tests that hold them to each other. The OpenSSL ones return
// false when OpenSSL could not run (or, for open, authentication failed); `chunk` bounds the
// bytes per EVP call (EVP takes int lengths), smaller only in tests.
bool openssl_xchacha_seal(unsigned char* out, const unsigned char* in, std::size_t n,
                          std::string_view ad, const unsigned char* nonce,
                          const unsigned char* key, std::size_t chunk = 1u << 30);
bool openssl_xchacha_open(unsigned char* out, const unsigned char* in, std::size_t n,
                          std::string_view ad, const unsigned char* nonce,
                          const unsigned char* key, std::size_t chunk = 1u << 30);
void sodium_xchacha_seal(unsigned char* out, const unsigned char* in, std::size_t n,
                         std::string_view ad, const unsigned char* nonce,
                         const unsigned char* key);
bool sodium_xchacha_open(unsigned char* out, const unsigned char* in, std::size_t n,
                         std::string_view ad, const unsigned char* nonce,
                         const unsigned char* key);

}  // namespace raftvault::codec::detail
