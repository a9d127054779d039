// The keyless digest of node.key computed independently of keys/key_file.cpp, as docs/keys.md
// defines it: "raftvault-digest: blake2b-256:" + base64(BLAKE2b-256 of the file minus that
// line), the first header of the state block. Tests use it to check the format and to make an
// edit that also fixes the digest, as someone changing the file on purpose would.
#pragma once

#include <sodium.h>

#include <string>

#include "keys/pem.h"

namespace raftvault::testing {

inline std::string key_file_digest_line(const std::string& text_without_line) {
  unsigned char digest[32];
  crypto_generichash(digest, sizeof digest,
                     reinterpret_cast<const unsigned char*>(text_without_line.data()),
                     text_without_line.size(), nullptr, 0);
  return "raftvault-digest: blake2b-256:" +
         keys::base64_encode(std::string(reinterpret_cast<const char*>(digest), sizeof digest)) +
         "\n";
}

// `text` without its digest line (a file as an older raftvault wrote it).
inline std::string without_digest_line(std::string text) {
  const auto at = text.find("\nraftvault-digest: ");
  if (at == std::string::npos) return text;
  return text.erase(at + 1, text.find('\n', at + 1) - at);
}

// `text` with its digest line replaced by one that matches the rest of it.
inline std::string redigested(const std::string& text) {
  std::string rest = without_digest_line(text);
  const auto after_begin = rest.find('\n') + 1;
  return rest.insert(after_begin, key_file_digest_line(rest));
}

}  // namespace raftvault::testing
