#include "codec/cipher.h"

#include <sodium.h>

#include "codec/cipher_internal.h"
#include "codec/cipher_testing.h"
#include "codec/nonce_reservoir.h"
#include "codec/record_wire.h"
#include "codec/xchacha20poly1305.h"

namespace raftvault::codec {

static_assert(crypto_secretbox_KEYBYTES == kKeyBytes && crypto_secretbox_NONCEBYTES == kNonceBytes &&
              crypto_secretbox_MACBYTES == kTagBytes, "secretbox sizes");
static_assert(crypto_aead_xchacha20poly1305_ietf_KEYBYTES == kKeyBytes &&
              crypto_aead_xchacha20poly1305_ietf_NPUBBYTES == kNonceBytes &&
              crypto_aead_xchacha20poly1305_ietf_ABYTES == kTagBytes, "xchacha sizes");

bool ensure_sodium() {
  // A function-local static is initialised exactly once even with concurrent callers.
  static const bool ready = sodium_init() >= 0;
  return ready;
}

std::string_view to_string(cipher c) {
  switch (c) {
    case cipher::none: return "none";
    case cipher::secretbox: return "secretbox";
    case cipher::xchacha20poly1305: return "xchacha20poly1305";
  }
  return "unknown";
}

result<cipher> parse_cipher(std::string_view name) {
  for (cipher c : {cipher::none, cipher::secretbox, cipher::xchacha20poly1305}) {
    if (name == to_string(c)) return c;
  }
  return error(errc::invalid_argument, "unknown cipher \"" + std::string(name) +
                                           "\" (expected none, secretbox or xchacha20poly1305)");
}

std::string algorithm_name(std::uint32_t algorithm) {
  switch (static_cast<record_algorithm>(algorithm)) {
    case record_algorithm::none: return "NONE";
    case record_algorithm::secretbox_salsa20_poly1305: return "SECRETBOX_SALSA20_POLY1305";
    case record_algorithm::fernet_aes_128_cbc: return "FERNET_AES_128_CBC";
    case record_algorithm::xchacha20_poly1305: return "XCHACHA20_POLY1305";
  }
  return std::to_string(algorithm);
}

std::string encode_plain_record(std::string_view plaintext, std::uint32_t key_id) {
  std::string out;
  const auto at = wire::build_record(out, 0, plaintext.size(), {}, key_id);
  if (!plaintext.empty()) out.replace(at.data_offset, plaintext.size(), plaintext);
  return out;
}

result<plain_record> decode_plain_record(std::string_view record_bytes) {
  auto parsed = wire::parse_record(record_bytes);
  if (!parsed) return parsed.error();
  if (parsed->algorithm != 0) {
    return error(errc::corruption, "expected an unencrypted (NONE) record, found algorithm " +
                                       algorithm_name(parsed->algorithm));
  }
  return plain_record{std::string(parsed->data), parsed->key_id};
}

namespace detail {

status seal_core_into(std::string& out, cipher c, key_ref key, std::string_view plaintext,
                      std::string_view associated_data, const unsigned char* nonce) {
  if (c == cipher::none) {
    out = encode_plain_record(plaintext);
    return {};
  }
  if (key.bytes == nullptr) {
    return error(errc::invalid_argument, "seal with " + std::string(to_string(c)) + ": no key");
  }
  if (!ensure_sodium()) return error(errc::io, "libsodium failed to initialise");
  const std::string_view nonce_view(reinterpret_cast<const char*>(nonce), kNonceBytes);
  const auto* in = reinterpret_cast<const unsigned char*>(plaintext.data());
  if (c == cipher::secretbox) {
    // SwarmKit's bytes: no key_id (its readers would not expect one) and MAC || ciphertext.
    const auto at = wire::build_record(
        out, static_cast<std::uint32_t>(record_algorithm::secretbox_salsa20_poly1305),
        plaintext.size() + kTagBytes, nonce_view, 0);
    auto* dst = reinterpret_cast<unsigned char*>(out.data() + at.data_offset);
    crypto_secretbox_easy(dst, in, plaintext.size(), nonce, key.bytes);
    return {};
  }
  const auto at = wire::build_record(
      out, static_cast<std::uint32_t>(record_algorithm::xchacha20_poly1305),
      plaintext.size() + kTagBytes, nonce_view, key.generation);
  auto* dst = reinterpret_cast<unsigned char*>(out.data() + at.data_offset);
  xchacha_seal(dst, in, plaintext.size(), associated_data, nonce, key.bytes);
  return {};
}

result<std::string> seal_core(cipher c, key_ref key, std::string_view plaintext,
                              std::string_view associated_data, const unsigned char* nonce) {
  std::string out;
  RV_TRY(seal_core_into(out, c, key, plaintext, associated_data, nonce));
  return out;
}

}  // namespace detail

namespace {
std::string_view place_ad(const record_place& place, unsigned char (&buf)[kPlaceAssociatedDataSize]) {
  encode_place_associated_data(place, buf);
  return std::string_view(reinterpret_cast<const char*>(buf), sizeof(buf));
}
}  // namespace

result<std::string> seal(cipher c, key_ref key, std::string_view plaintext,
                         const record_place& place) {
  unsigned char nonce[kNonceBytes];
  if (c != cipher::none) {
    RV_TRY(random_nonce_bytes(nonce, sizeof(nonce)));
  }
  unsigned char ad[kPlaceAssociatedDataSize];
  return detail::seal_core(c, key, plaintext, place_ad(place, ad), nonce);
}

result<std::string> seal_with_ad(key_ref key, std::string_view plaintext,
                                 std::string_view associated_data) {
  unsigned char nonce[kNonceBytes];
  RV_TRY(random_nonce_bytes(nonce, sizeof(nonce)));
  return detail::seal_core(cipher::xchacha20poly1305, key, plaintext, associated_data, nonce);
}

result<std::string> open(const std::vector<key_ref>& keys, std::string_view record_bytes,
                         const record_place& place, none_records policy) {
  unsigned char ad[kPlaceAssociatedDataSize];
  return detail::open_core(keys, record_bytes, place_ad(place, ad), to_string(place), policy);
}

result<std::string> open_with_ad(const std::vector<key_ref>& keys, std::string_view record_bytes,
                                 std::string_view associated_data, std::string_view what) {
  return detail::open_core(keys, record_bytes, associated_data, what, none_records::refuse);
}

namespace testing {
result<std::string> seal_with_nonce(cipher c, key_ref key, std::string_view plaintext,
                                    const record_place& place,
                                    const unsigned char (&nonce)[kNonceBytes]) {
  unsigned char ad[kPlaceAssociatedDataSize];
  return detail::seal_core(c, key, plaintext, place_ad(place, ad), nonce);
}
}  // namespace testing

}  // namespace raftvault::codec
