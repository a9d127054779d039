#include "tools/text_format.h"

#include <sodium.h>

namespace raftvault::cli {

std::string to_hex(std::string_view bytes) {
  static const char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

std::string sha256_hex(std::string_view bytes) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  return to_hex(std::string_view(reinterpret_cast<const char*>(digest), sizeof digest));
}

std::string entry_type_name(entry_type type) {
  switch (type) {
    case entry_type::normal: return "normal";
    case entry_type::conf_change: return "conf-change";
    case entry_type::conf_change_v2: return "conf-change-v2";
  }
  return std::to_string(static_cast<std::uint32_t>(type));
}

std::string printable_or_size(std::string_view bytes) {
  if (bytes.empty()) return "(empty)";
  for (unsigned char c : bytes)
    if (c < 0x20 || c > 0x7e) return std::to_string(bytes.size()) + " bytes";
  return "\"" + std::string(bytes) + "\"";
}

}  // namespace raftvault::cli
