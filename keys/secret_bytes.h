// Memory for key material (docs/keys.md): libsodium guarded allocations (guard pages around the
// buffer, mlock so it is never swapped), wiped when released, compared in constant time, and
// never printed — the stream operator shows only a short one-way fingerprint.
#pragma once

#include <cstddef>
#include <iosfwd>
#include <string>
#include <string_view>

#include "codec/error_types.h"

namespace raftvault::keys {

class secret_bytes {
 public:
  secret_bytes() = default;  // empty; holds nothing
  ~secret_bytes();
  secret_bytes(secret_bytes&& other) noexcept;
  secret_bytes& operator=(secret_bytes&& other) noexcept;
  secret_bytes(const secret_bytes&) = delete;
  secret_bytes& operator=(const secret_bytes&) = delete;

  // `size` zero bytes. Fails with errc::io if guarded memory cannot be allocated.
  static result<secret_bytes> allocate(std::size_t size);
  // `size` bytes from libsodium's CSPRNG.
  static result<secret_bytes> random(std::size_t size);
  // A guarded copy of `bytes`; the caller wipes its own copy (sodium_memzero).
  static result<secret_bytes> copy_of(std::string_view bytes);

  result<secret_bytes> clone() const;

  unsigned char* data() { return data_; }
  const unsigned char* data() const { return data_; }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  std::string_view view() const {
    return std::string_view(reinterpret_cast<const char*>(data_), size_);
  }

  // Constant time in the contents (sizes are not secret).
  bool equals(const secret_bytes& other) const;
  bool equals(std::string_view bytes) const;

  // 8 hex digits of a keyed BLAKE2b hash: enough to tell keys apart in logs, useless to an
  // attacker.
  std::string fingerprint() const;

 private:
  void release();
  unsigned char* data_ = nullptr;
  std::size_t size_ = 0;
};

// Wipes a std::string on every way out of a scope, where secret bytes must pass through one
// (base64 and PEM text, the key file as read or written).
class wipe_on_exit {
 public:
  explicit wipe_on_exit(std::string& text) : text_(text) {}
  ~wipe_on_exit();
  wipe_on_exit(const wipe_on_exit&) = delete;
  wipe_on_exit& operator=(const wipe_on_exit&) = delete;

 private:
  std::string& text_;
};

// Prints "secret(32 bytes, fingerprint 1a2b3c4d)", never the bytes.
std::ostream& operator<<(std::ostream& out, const secret_bytes& secret);

}  // namespace raftvault::keys
