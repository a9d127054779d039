#include "keys/tls_key.h"

#include <openssl/bio.h>
#include <openssl/buffer.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>

#include "codec/error.h"

namespace raftvault::keys {
namespace {

struct bio_free { void operator()(BIO* b) const { BIO_free(b); } };
struct pkey_free { void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); } };
struct x509_free { void operator()(X509* x) const { X509_free(x); } };
struct ctx_free { void operator()(EVP_PKEY_CTX* c) const { EVP_PKEY_CTX_free(c); } };
using bio_ptr = std::unique_ptr<BIO, bio_free>;
using pkey_ptr = std::unique_ptr<EVP_PKEY, pkey_free>;

std::string openssl_reason() {
  const unsigned long code = ERR_peek_last_error();
  char buf[256] = "unknown OpenSSL error";
  if (code != 0) ERR_error_string_n(code, buf, sizeof buf);
  ERR_clear_error();
  return buf;
}

bio_ptr read_bio(std::string_view bytes) {
  // OpenSSL refuses a null buffer, which an empty secret_bytes' view has.
  const char* data = bytes.empty() ? "" : bytes.data();
  return bio_ptr(BIO_new_mem_buf(data, static_cast<int>(bytes.size())));
}

// Drains a secure-memory BIO into guarded memory.
result<secret_bytes> drain(BIO* bio) {
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio, &data);
  if (len < 0) return error(errc::io, "OpenSSL: " + openssl_reason());
  return secret_bytes::copy_of(std::string_view(data, static_cast<std::size_t>(len)));
}

result<secret_bytes> to_pkcs8_der(EVP_PKEY* key) {
  bio_ptr out(BIO_new(BIO_s_secmem()));
  if (!out || i2d_PKCS8PrivateKey_bio(out.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return error(errc::io, "encoding PKCS#8: " + openssl_reason());
  }
  return drain(out.get());
}

result<pkey_ptr> from_der(const secret_bytes& der) {
  auto bio = read_bio(der.view());
  pkey_ptr key(d2i_PrivateKey_bio(bio.get(), nullptr));
  if (!key) return error(errc::invalid_argument, "not a PKCS#8 private key: " + openssl_reason());
  return key;
}

// No password callback prompt: an empty password makes encrypted keys fail cleanly.
int no_prompt(char*, int, int, void*) { return -1; }

}  // namespace

result<secret_bytes> tls_key_from_pem(std::string_view pem) {
  auto bio = read_bio(pem);
  pkey_ptr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, no_prompt, nullptr));
  if (!key) {
    return error(errc::invalid_argument,
                 "TLS key is not an unencrypted PEM private key: " + openssl_reason());
  }
  return to_pkcs8_der(key.get());
}

result<secret_bytes> generate_tls_key() {
  std::unique_ptr<EVP_PKEY_CTX, ctx_free> ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  EVP_PKEY* raw = nullptr;
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_group_name(ctx.get(), "P-256") != 1 ||
      EVP_PKEY_keygen(ctx.get(), &raw) != 1) {
    return error(errc::io, "generating an EC P-256 key: " + openssl_reason());
  }
  pkey_ptr key(raw);
  return to_pkcs8_der(key.get());
}

result<secret_bytes> plain_pkcs8_pem(const secret_bytes& der) {
  RV_ASSIGN(auto key, from_der(der));
  bio_ptr out(BIO_new(BIO_s_secmem()));
  if (!out || PEM_write_bio_PKCS8PrivateKey(out.get(), key.get(), nullptr, nullptr, 0, nullptr,
                                            nullptr) != 1) {
    return error(errc::io, "writing PKCS#8 PEM: " + openssl_reason());
  }
  return drain(out.get());
}

result<std::string> encrypted_pkcs8_pem(const secret_bytes& der, const secret_bytes& password) {
  RV_ASSIGN(auto key, from_der(der));
  bio_ptr out(BIO_new(BIO_s_mem()));
  if (!out || PEM_write_bio_PKCS8PrivateKey(
                  out.get(), key.get(), EVP_aes_256_cbc(),
                  reinterpret_cast<const char*>(password.data()),
                  static_cast<int>(password.size()), nullptr, nullptr) != 1) {
    return error(errc::io, "encrypting PKCS#8: " + openssl_reason());
  }
  char* data = nullptr;
  const long len = BIO_get_mem_data(out.get(), &data);
  return std::string(data, static_cast<std::size_t>(len));
}

result<secret_bytes> read_pkcs8_pem(std::string_view pem, const secret_bytes& password) {
  auto bio = read_bio(pem);
  EVP_PKEY* raw = nullptr;
  if (password.empty()) {
    raw = PEM_read_bio_PrivateKey(bio.get(), nullptr, no_prompt, nullptr);
  } else {
    // A NUL-terminated copy in guarded memory for OpenSSL's C-string password argument.
    RV_ASSIGN(auto pass, secret_bytes::allocate(password.size() + 1));
    for (std::size_t i = 0; i < password.size(); ++i) pass.data()[i] = password.data()[i];
    raw = PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, pass.data());
  }
  if (raw == nullptr) {
    const auto why = openssl_reason();
    if (!password.empty()) return error(errc::wrong_key, "cannot decrypt the TLS key: " + why);
    return error(errc::corruption, "cannot read the TLS key: " + why);
  }
  pkey_ptr key(raw);
  return to_pkcs8_der(key.get());
}

status check_certificate_matches(std::string_view cert_pem, const secret_bytes& der,
                                 const std::string& cert_path) {
  auto bio = read_bio(cert_pem);
  std::unique_ptr<X509, x509_free> cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert) {
    return error(errc::invalid_argument,
                 "certificate " + cert_path + " is not a PEM certificate: " + openssl_reason());
  }
  RV_ASSIGN(auto key, from_der(der));
  if (EVP_PKEY_eq(X509_get0_pubkey(cert.get()), key.get()) != 1) {
    ERR_clear_error();
    return error(errc::invalid_argument,
                 "certificate " + cert_path + " does not match the TLS private key");
  }
  return status::ok();
}

}  // namespace raftvault::keys
