#include "keys/key_file_digest.h"

#include <sodium.h>

#include <algorithm>
#include <optional>
#include <utility>
#include <vector>

#include "keys/key_file.h"
#include "keys/pem.h"
#include "keys/string_affix.h"

namespace raftvault::keys {
namespace {

// [begin, end) of the header line `name` (its newline included), if the text has one.
std::optional<std::pair<std::size_t, std::size_t>> header_line(std::string_view text,
                                                               std::string_view name) {
  const std::string needle = "\n" + std::string(name) + ": ";
  const auto at = text.find(needle);
  if (at == std::string_view::npos) return std::nullopt;
  const auto end = text.find('\n', at + 1);
  if (end == std::string_view::npos) return std::nullopt;  // truncated: the parser says so
  return std::make_pair(at + 1, end + 1);
}

}  // namespace

std::string blake2b_without_lines(std::string_view text,
                                  std::initializer_list<std::string_view> skipped,
                                  const unsigned char* key, std::size_t key_size) {
  std::vector<std::pair<std::size_t, std::size_t>> lines;
  for (auto name : skipped) {
    if (auto line = header_line(text, name)) lines.push_back(*line);
  }
  std::sort(lines.begin(), lines.end());
  crypto_generichash_state state;
  crypto_generichash_init(&state, key, key_size, kKeyFileDigestBytes);
  auto update = [&state](std::string_view piece) {
    crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(piece.data()),
                              piece.size());
  };
  std::size_t pos = 0;
  for (const auto& line : lines) {
    update(text.substr(pos, line.first - pos));
    pos = line.second;
  }
  update(text.substr(pos));
  unsigned char digest[kKeyFileDigestBytes];
  crypto_generichash_final(&state, digest, sizeof digest);
  sodium_memzero(&state, sizeof state);
  return std::string(reinterpret_cast<const char*>(digest), sizeof digest);
}

std::string with_digest_line(std::string& text) {
  const std::string line = std::string(kHeaderDigest) + ": " + std::string(kDigestAlgorithm) +
                           base64_encode(blake2b_without_lines(text, {})) + "\n";
  const std::size_t after_begin = text.find('\n') + 1;
  std::string out;
  out.reserve(text.size() + line.size());
  out.append(text, 0, after_begin).append(line).append(text, after_begin, std::string::npos);
  sodium_memzero(text.data(), text.size());
  return out;
}

// A file with a digest must match it before anything else is read: damage is then reported as
// damage, not as whatever structure or key error the changed bytes happen to cause.
status check_digest(std::string_view text, const std::string& path, bool& present) {
  const auto line = header_line(text, kHeaderDigest);
  present = line.has_value();
  if (!present) return status::ok();
  const std::size_t value_at = line->first + kHeaderDigest.size() + 2;
  const std::string_view value = text.substr(value_at, line->second - 1 - value_at);
  const error damaged(errc::corruption, "key file " + path +
                                            " is damaged (digest mismatch): it changed after "
                                            "raftvault wrote it");
  std::string stored;
  if (!starts_with(value, kDigestAlgorithm) ||
      !base64_decode(value.substr(kDigestAlgorithm.size()), stored) ||
      stored.size() != kKeyFileDigestBytes) {
    return damaged;
  }
  if (sodium_memcmp(stored.data(), blake2b_without_lines(text, {kHeaderDigest}).data(),
                    kKeyFileDigestBytes) != 0) {
    return damaged;
  }
  return status::ok();
}

}  // namespace raftvault::keys
