// The node's TLS private key through OpenSSL's libcrypto, the library every TLS stack that
// loads it uses. In memory the key is its unencrypted PKCS#8 DER, kept in secret_bytes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "keys/secret_bytes.h"

namespace raftvault::keys {

// A PEM private key is a few KiB even for the largest RSA keys: --tls-key's size limit.
constexpr std::uint64_t kMaxTlsKeyPemBytes = 1 << 20;

// Any unencrypted PEM private key (PKCS#8 "PRIVATE KEY", "EC PRIVATE KEY", "RSA PRIVATE KEY")
// → PKCS#8 DER. errc::invalid_argument when it is not a private key.
result<secret_bytes> tls_key_from_pem(std::string_view pem);

// A fresh EC P-256 key as PKCS#8 DER.
result<secret_bytes> generate_tls_key();

// "-----BEGIN PRIVATE KEY-----" PEM of the key (secret: the caller decides where it goes).
result<secret_bytes> plain_pkcs8_pem(const secret_bytes& der);

// "-----BEGIN ENCRYPTED PRIVATE KEY-----": PKCS#8 PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC) with
// `password` — the unlock key's text form, so `openssl pkey -passin` opens it.
result<std::string> encrypted_pkcs8_pem(const secret_bytes& der, const secret_bytes& password);

// Decrypts an ENCRYPTED PRIVATE KEY block (or reads a PRIVATE KEY block when `password` is
// empty). A bad password is errc::wrong_key; the key file's MAC is what rules out CBC-padding
// false positives before this is reached.
result<secret_bytes> read_pkcs8_pem(std::string_view pem, const secret_bytes& password);

// errc::invalid_argument unless `cert_pem`'s public key belongs to the private key `der`.
status check_certificate_matches(std::string_view cert_pem, const secret_bytes& der,
                                 const std::string& cert_path);

}  // namespace raftvault::keys
