#include "codec/xchacha20poly1305.h"

#include <openssl/evp.h>
#include <sodium.h>

#include <algorithm>
#include <cstring>
#include <memory>

namespace raftvault::codec::detail {
namespace {

constexpr std::size_t kSubkeyBytes = crypto_core_hchacha20_OUTPUTBYTES;
constexpr std::size_t kTag = crypto_aead_xchacha20poly1305_ietf_ABYTES;
static_assert(kSubkeyBytes == 32 && kTag == 16, "ChaCha20-Poly1305 sizes");

// Fetched once; null when the default provider has no ChaCha20-Poly1305 (then libsodium).
const EVP_CIPHER* chacha20_poly1305() {
  static EVP_CIPHER* const fetched = EVP_CIPHER_fetch(nullptr, "ChaCha20-Poly1305", nullptr);
  return fetched;
}

struct ctx_free {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }  // cleanses the key
};
using ctx_ptr = std::unique_ptr<EVP_CIPHER_CTX, ctx_free>;

// A context keyed with the record's subkey and IETF nonce; null if OpenSSL cannot run.
ctx_ptr keyed_context(bool encrypt, const unsigned char* nonce, const unsigned char* key) {
  const EVP_CIPHER* cipher = chacha20_poly1305();
  if (cipher == nullptr) return nullptr;
  ctx_ptr ctx(EVP_CIPHER_CTX_new());
  if (!ctx) return nullptr;
  unsigned char subkey[kSubkeyBytes];
  crypto_core_hchacha20(subkey, nonce, key, nullptr);
  unsigned char iv[12] = {0, 0, 0, 0};
  std::memcpy(iv + 4, nonce + 16, 8);
  const int ok = EVP_CipherInit_ex(ctx.get(), cipher, nullptr, subkey, iv, encrypt ? 1 : 0);
  sodium_memzero(subkey, sizeof(subkey));
  return ok == 1 ? std::move(ctx) : nullptr;
}

// Feeds `n` bytes in pieces of at most `chunk` (EVP lengths are int). `out` null = AD.
bool update(EVP_CIPHER_CTX* ctx, unsigned char* out, const unsigned char* in, std::size_t n,
            std::size_t chunk) {
  for (std::size_t done = 0; done < n;) {
    const std::size_t piece = std::min(chunk, n - done);
    int written = 0;
    if (EVP_CipherUpdate(ctx, out == nullptr ? nullptr : out + done, &written, in + done,
                         static_cast<int>(piece)) != 1) {
      return false;
    }
    // A stream cipher writes exactly what it is given; anything else is not our cipher.
    if (out != nullptr && static_cast<std::size_t>(written) != piece) return false;
    done += piece;
  }
  return true;
}

const unsigned char* bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

}  // namespace

bool openssl_xchacha_seal(unsigned char* out, const unsigned char* in, std::size_t n,
                          std::string_view ad, const unsigned char* nonce,
                          const unsigned char* key, std::size_t chunk) {
  ctx_ptr ctx = keyed_context(true, nonce, key);
  if (!ctx) return false;
  int tail = 0;
  return update(ctx.get(), nullptr, bytes(ad), ad.size(), chunk) &&
         update(ctx.get(), out, in, n, chunk) &&
         EVP_EncryptFinal_ex(ctx.get(), out + n, &tail) == 1 && tail == 0 &&
         EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_GET_TAG, kTag, out + n) == 1;
}

bool openssl_xchacha_open(unsigned char* out, const unsigned char* in, std::size_t n,
                          std::string_view ad, const unsigned char* nonce,
                          const unsigned char* key, std::size_t chunk) {
  ctx_ptr ctx = keyed_context(false, nonce, key);
  int tail = 0;
  // The tag is checked in Final, after decryption: on any failure the output is wiped.
  const bool ok =
      ctx && update(ctx.get(), nullptr, bytes(ad), ad.size(), chunk) &&
      update(ctx.get(), out, in, n, chunk) &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_SET_TAG, kTag,
                          const_cast<unsigned char*>(in + n)) == 1 &&
      EVP_DecryptFinal_ex(ctx.get(), out + n, &tail) == 1 && tail == 0;
  if (!ok) sodium_memzero(out, n);
  return ok;
}

void sodium_xchacha_seal(unsigned char* out, const unsigned char* in, std::size_t n,
                         std::string_view ad, const unsigned char* nonce,
                         const unsigned char* key) {
  crypto_aead_xchacha20poly1305_ietf_encrypt(out, nullptr, in, n, bytes(ad), ad.size(), nullptr,
                                             nonce, key);
}

bool sodium_xchacha_open(unsigned char* out, const unsigned char* in, std::size_t n,
                         std::string_view ad, const unsigned char* nonce,
                         const unsigned char* key) {
  unsigned long long written = 0;
  const bool ok = crypto_aead_xchacha20poly1305_ietf_decrypt(out, &written, nullptr, in,
                                                             n + kTag, bytes(ad), ad.size(),
                                                             nonce, key) == 0;
  if (!ok) sodium_memzero(out, n);
  return ok;
}

void xchacha_seal(unsigned char* out, const unsigned char* in, std::size_t n,
                  std::string_view ad, const unsigned char* nonce, const unsigned char* key) {
  if (n >= kOpenSslFromBytes && openssl_xchacha_seal(out, in, n, ad, nonce, key)) return;
  sodium_xchacha_seal(out, in, n, ad, nonce, key);
}

bool xchacha_open(unsigned char* out, const unsigned char* in, std::size_t n,
                  std::string_view ad, const unsigned char* nonce, const unsigned char* key) {
  // OpenSSL cannot tell "not authentic" from "could not run", so a refusal gets a second
  // opinion from libsodium, which only ever answers authentic or not. Failures are rare
  // (tampering, a wrong key), so paying twice for them costs nothing in steady state.
  if (n >= kOpenSslFromBytes && openssl_xchacha_open(out, in, n, ad, nonce, key)) return true;
  return sodium_xchacha_open(out, in, n, ad, nonce, key);
}

}  // namespace raftvault::codec::detail
