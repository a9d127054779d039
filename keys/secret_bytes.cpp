#include "keys/secret_bytes.h"

#include <sodium.h>

#include <cstring>
#include <ostream>

#include "codec/cipher.h"
#include "codec/error.h"

namespace raftvault::keys {

secret_bytes::~secret_bytes() { release(); }

secret_bytes::secret_bytes(secret_bytes&& other) noexcept : data_(other.data_), size_(other.size_) {
  other.data_ = nullptr;
  other.size_ = 0;
}

secret_bytes& secret_bytes::operator=(secret_bytes&& other) noexcept {
  if (this != &other) {
    release();
    data_ = other.data_;
    size_ = other.size_;
    other.data_ = nullptr;
    other.size_ = 0;
  }
  return *this;
}

void secret_bytes::release() {
  // sodium_free wipes the buffer before unmapping it.
  if (data_ != nullptr) sodium_free(data_);
  data_ = nullptr;
  size_ = 0;
}

result<secret_bytes> secret_bytes::allocate(std::size_t size) {
  if (!codec::ensure_sodium()) return error(errc::io, "libsodium failed to initialise");
  secret_bytes out;
  if (size == 0) return out;
  void* p = sodium_malloc(size);
  if (p == nullptr) {
    return error(errc::io, "cannot allocate " + std::to_string(size) + " bytes of guarded memory",
                 errno);
  }
  // sodium_malloc already tries to mlock; a second attempt reports nothing new, so ignore it.
  std::memset(p, 0, size);
  out.data_ = static_cast<unsigned char*>(p);
  out.size_ = size;
  return out;
}

result<secret_bytes> secret_bytes::random(std::size_t size) {
  RV_ASSIGN(auto out, allocate(size));
  if (size != 0) randombytes_buf(out.data_, size);
  return out;
}

result<secret_bytes> secret_bytes::copy_of(std::string_view bytes) {
  RV_ASSIGN(auto out, allocate(bytes.size()));
  if (!bytes.empty()) std::memcpy(out.data_, bytes.data(), bytes.size());
  return out;
}

result<secret_bytes> secret_bytes::clone() const { return copy_of(view()); }

bool secret_bytes::equals(const secret_bytes& other) const { return equals(other.view()); }

bool secret_bytes::equals(std::string_view bytes) const {
  if (bytes.size() != size_) return false;
  if (size_ == 0) return true;
  return sodium_memcmp(data_, bytes.data(), size_) == 0;
}

std::string secret_bytes::fingerprint() const {
  if (!codec::ensure_sodium()) return "unavailable";
  static const unsigned char kKey[] = "raftvault/v1 fingerprint";
  unsigned char digest[4];
  crypto_generichash(digest, sizeof digest, data_, size_, kKey, sizeof kKey - 1);
  char hex[sizeof digest * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return hex;
}

wipe_on_exit::~wipe_on_exit() { sodium_memzero(text_.data(), text_.size()); }

std::ostream& operator<<(std::ostream& out, const secret_bytes& secret) {
  return out << "secret(" << secret.size() << " bytes, fingerprint " << secret.fingerprint()
             << ")";
}

}  // namespace raftvault::keys
