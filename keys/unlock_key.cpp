#include "keys/unlock_key.h"

#include <sodium.h>

#include "codec/error.h"

namespace raftvault::keys {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
constexpr std::size_t kChecksumBytes = 3;
constexpr std::size_t kPayloadBytes = codec::kKeyBytes + kChecksumBytes;  // 35 = 56 base32 chars
static_assert(kPayloadBytes * 8 == 56 * 5, "payload must fill whole base32 characters");
static_assert(kUnlockKeyTextSize == kUnlockKeyPrefix.size() + 56, "text size");

void checksum(const unsigned char* key, unsigned char out[kChecksumBytes]) {
  unsigned char digest[32];
  crypto_generichash_state st;
  crypto_generichash_init(&st, nullptr, 0, sizeof digest);
  crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>("RVKEK1"), 6);
  crypto_generichash_update(&st, key, codec::kKeyBytes);
  crypto_generichash_final(&st, digest, sizeof digest);
  for (std::size_t i = 0; i < kChecksumBytes; ++i) out[i] = digest[i];
}

int base32_value(char c) {
  if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= '2' && c <= '7') return c - '2' + 26;
  return -1;
}

error malformed(const std::string& why) {
  return error(errc::invalid_argument, "malformed unlock key (" + why + ")");
}

bool is_space(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

}  // namespace

result<unlock_key> unlock_key::generate() {
  RV_ASSIGN(auto bytes, secret_bytes::random(codec::kKeyBytes));
  return unlock_key(std::move(bytes));
}

result<unlock_key> unlock_key::from_bytes(std::string_view raw32) {
  if (raw32.size() != codec::kKeyBytes) {
    return error(errc::invalid_argument, "an unlock key is " + std::to_string(codec::kKeyBytes) +
                                             " bytes, got " + std::to_string(raw32.size()));
  }
  RV_ASSIGN(auto bytes, secret_bytes::copy_of(raw32));
  return unlock_key(std::move(bytes));
}

result<unlock_key> unlock_key::parse(std::string_view text) {
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  if (text.substr(0, kUnlockKeyPrefix.size()) != kUnlockKeyPrefix) {
    return malformed("it must start with " + std::string(kUnlockKeyPrefix));
  }
  if (text.size() != kUnlockKeyTextSize) {
    return malformed("length: expected " + std::to_string(kUnlockKeyTextSize) +
                     " characters, got " + std::to_string(text.size()));
  }
  RV_ASSIGN(auto payload, secret_bytes::allocate(kPayloadBytes));
  unsigned bits = 0;
  unsigned acc = 0;
  std::size_t out = 0;
  for (std::size_t i = kUnlockKeyPrefix.size(); i < text.size(); ++i) {
    const int v = base32_value(text[i]);
    if (v < 0) return malformed("invalid character at position " + std::to_string(i + 1));
    acc = (acc << 5) | static_cast<unsigned>(v);
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      payload.data()[out++] = static_cast<unsigned char>(acc >> bits);
      acc &= (1u << bits) - 1;
    }
  }
  acc = 0;
  unsigned char expected[kChecksumBytes];
  checksum(payload.data(), expected);
  if (sodium_memcmp(expected, payload.data() + codec::kKeyBytes, kChecksumBytes) != 0) {
    return malformed("checksum");
  }
  RV_ASSIGN(auto bytes, secret_bytes::copy_of(payload.view().substr(0, codec::kKeyBytes)));
  return unlock_key(std::move(bytes));
}

result<secret_bytes> unlock_key::text() const {
  RV_ASSIGN(auto payload, secret_bytes::allocate(kPayloadBytes));
  for (std::size_t i = 0; i < codec::kKeyBytes; ++i) payload.data()[i] = bytes_.data()[i];
  checksum(bytes_.data(), payload.data() + codec::kKeyBytes);
  RV_ASSIGN(auto out, secret_bytes::allocate(kUnlockKeyTextSize));
  std::size_t pos = 0;
  for (char c : kUnlockKeyPrefix) out.data()[pos++] = static_cast<unsigned char>(c);
  unsigned bits = 0;
  unsigned acc = 0;
  for (std::size_t i = 0; i < kPayloadBytes; ++i) {
    acc = (acc << 8) | payload.data()[i];
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out.data()[pos++] = static_cast<unsigned char>(kAlphabet[(acc >> bits) & 31]);
    }
    acc &= (1u << bits) - 1;
  }
  return out;
}

result<unlock_key> unlock_key::clone() const {
  RV_ASSIGN(auto copy, bytes_.clone());
  return unlock_key(std::move(copy));
}

}  // namespace raftvault::keys
