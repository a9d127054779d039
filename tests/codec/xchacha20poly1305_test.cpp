// The OpenSSL and libsodium XChaCha20-Poly1305 paths are one cipher: the same bytes for every
// size, each opens the other's records, and both refuse anything tampered with.
#include "codec/xchacha20poly1305.h"

#include <sodium.h>

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "codec/cipher.h"

using namespace raftvault::codec;
using namespace raftvault::codec::detail;

namespace {

using bytes = std::vector<unsigned char>;

bytes random_bytes(std::size_t n) {
  bytes b(n);
  if (n > 0) randombytes_buf(b.data(), b.size());  // data() of an empty vector may be null
  return b;
}

struct material {
  bytes key = random_bytes(kKeyBytes);
  bytes nonce = random_bytes(kNonceBytes);
  std::string ad;
  explicit material(std::size_t ad_size) : ad(ad_size, '\0') {
    randombytes_buf(ad.data(), ad.size());
  }
};

// Sizes around every block and lane boundary, the OpenSSL threshold and a large payload.
std::vector<std::size_t> sizes() {
  std::vector<std::size_t> out;
  for (std::size_t n = 0; n <= 130; ++n) out.push_back(n);
  for (std::size_t n : {255u, 256u, 257u, 511u, 512u, 513u, 1023u, 1024u, 1025u})
    out.push_back(n);
  for (std::size_t n = kOpenSslFromBytes - 3; n <= kOpenSslFromBytes + 3; ++n) out.push_back(n);
  for (std::size_t n : {4095u, 4096u, 4097u, 65536u + 17u, 1048576u + 5u}) out.push_back(n);
  return out;
}

}  // namespace

TEST_CASE("OpenSSL and libsodium seal XChaCha20-Poly1305 to the same bytes", "[xchacha]") {
  REQUIRE(ensure_sodium());
  for (std::size_t ad_size : {0u, 1u, 33u, 100u}) {
    for (std::size_t n : sizes()) {
      INFO("plaintext " << n << " bytes, associated data " << ad_size << " bytes");
      const material m(ad_size);
      const bytes plain = random_bytes(n);
      bytes by_sodium(n + kTagBytes), by_openssl(n + kTagBytes), dispatched(n + kTagBytes);
      sodium_xchacha_seal(by_sodium.data(), plain.data(), n, m.ad, m.nonce.data(), m.key.data());
      REQUIRE(openssl_xchacha_seal(by_openssl.data(), plain.data(), n, m.ad, m.nonce.data(),
                                   m.key.data()));
      xchacha_seal(dispatched.data(), plain.data(), n, m.ad, m.nonce.data(), m.key.data());
      CHECK(by_openssl == by_sodium);
      CHECK(dispatched == by_sodium);

      bytes opened(n, 0xee);
      REQUIRE(openssl_xchacha_open(opened.data(), by_sodium.data(), n, m.ad, m.nonce.data(),
                                   m.key.data()));
      CHECK(opened == plain);
      std::fill(opened.begin(), opened.end(), 0xee);
      REQUIRE(sodium_xchacha_open(opened.data(), by_openssl.data(), n, m.ad, m.nonce.data(),
                                  m.key.data()));
      CHECK(opened == plain);
      std::fill(opened.begin(), opened.end(), 0xee);
      REQUIRE(xchacha_open(opened.data(), by_openssl.data(), n, m.ad, m.nonce.data(),
                           m.key.data()));
      CHECK(opened == plain);
    }
  }
}

TEST_CASE("OpenSSL XChaCha20-Poly1305 fed in small pieces gives the same bytes", "[xchacha]") {
  REQUIRE(ensure_sodium());
  const material m(40);
  const bytes plain = random_bytes(10000);
  bytes whole(plain.size() + kTagBytes), pieces(plain.size() + kTagBytes);
  sodium_xchacha_seal(whole.data(), plain.data(), plain.size(), m.ad, m.nonce.data(),
                      m.key.data());
  // Pieces not a multiple of the 64-byte ChaCha20 block or 16-byte Poly1305 block.
  REQUIRE(openssl_xchacha_seal(pieces.data(), plain.data(), plain.size(), m.ad, m.nonce.data(),
                               m.key.data(), 7));
  CHECK(pieces == whole);
  bytes opened(plain.size());
  REQUIRE(openssl_xchacha_open(opened.data(), whole.data(), plain.size(), m.ad, m.nonce.data(),
                               m.key.data(), 1000));
  CHECK(opened == plain);
}

TEST_CASE("XChaCha20-Poly1305 refuses any tampering and leaves no plaintext behind",
          "[xchacha]") {
  REQUIRE(ensure_sodium());
  for (std::size_t n : {100u, 4096u}) {
    const material m(33);
    const bytes plain = random_bytes(n);
    bytes sealed(n + kTagBytes);
    xchacha_seal(sealed.data(), plain.data(), n, m.ad, m.nonce.data(), m.key.data());

    auto refused = [&](const bytes& record, const std::string& ad, const bytes& nonce,
                       const bytes& key) {
      bool all_refused = true;
      for (int impl = 0; impl < 3; ++impl) {
        bytes out(n, 0xee);
        const bool ok =
            impl == 0   ? openssl_xchacha_open(out.data(), record.data(), n, ad, nonce.data(),
                                               key.data())
            : impl == 1 ? sodium_xchacha_open(out.data(), record.data(), n, ad, nonce.data(),
                                              key.data())
                        : xchacha_open(out.data(), record.data(), n, ad, nonce.data(),
                                       key.data());
        all_refused = all_refused && !ok && out == bytes(n, 0);
      }
      return all_refused;
    };
    INFO("plaintext " << n << " bytes");
    for (std::size_t at : {std::size_t{0}, n / 2, n - 1, n, n + kTagBytes - 1}) {
      bytes flipped = sealed;
      flipped[at] ^= 0x01;
      CHECK(refused(flipped, m.ad, m.nonce, m.key));
    }
    std::string other_ad = m.ad;
    other_ad[20] ^= 0x01;
    CHECK(refused(sealed, other_ad, m.nonce, m.key));
    for (std::size_t at : {0u, 15u, 16u, 23u}) {  // subkey part and IETF-nonce part
      bytes other_nonce = m.nonce;
      other_nonce[at] ^= 0x80;
      CHECK(refused(sealed, m.ad, other_nonce, m.key));
    }
    bytes other_key = m.key;
    other_key[31] ^= 0x01;
    CHECK(refused(sealed, m.ad, m.nonce, other_key));
  }
}

TEST_CASE("a 4 KiB entry sealed by codec::seal opens with libsodium directly", "[xchacha]") {
  unsigned char key[kKeyBytes];
  randombytes_buf(key, sizeof(key));
  const std::string plain(4096, 'p');
  const auto place = entry_place(7, 2, 0);
  auto record = seal(cipher::xchacha20poly1305, key_ref{1, key}, plain, place);
  REQUIRE(record);
  // The record ends ... 1a 18 <nonce> 20 01; the ciphertext sits after 08 03 12 <varint 4112>.
  const std::size_t header = 2 + 1 + 2;
  const auto* rec = reinterpret_cast<const unsigned char*>(record->data());
  const unsigned char* nonce = rec + record->size() - 2 - kNonceBytes;
  unsigned char ad[kPlaceAssociatedDataSize];
  encode_place_associated_data(place, ad);
  std::string out(plain.size(), '\0');
  unsigned long long written = 0;
  REQUIRE(crypto_aead_xchacha20poly1305_ietf_decrypt(
              reinterpret_cast<unsigned char*>(out.data()), &written, nullptr, rec + header,
              plain.size() + kTagBytes, ad, sizeof(ad), nonce, key) == 0);
  CHECK(out == plain);
}
