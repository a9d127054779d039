#include "raftlog/hex_name.h"

#include <cinttypes>
#include <cstdio>

namespace raftvault::raftlog {
namespace {

constexpr std::size_t kHexWidth = 16;

std::optional<std::uint64_t> parse_hex16(std::string_view text) {
  std::uint64_t value = 0;
  for (char c : text) {
    unsigned digit;
    if (c >= '0' && c <= '9') digit = static_cast<unsigned>(c - '0');
    else if (c >= 'a' && c <= 'f') digit = static_cast<unsigned>(c - 'a' + 10);
    else return std::nullopt;
    value = value << 4 | digit;
  }
  return value;
}

}  // namespace

std::string format_hex_name(std::uint64_t first, std::uint64_t second, std::string_view suffix) {
  char digits[2 * kHexWidth + 2];
  std::snprintf(digits, sizeof digits, "%016" PRIx64 "-%016" PRIx64, first, second);
  std::string name(digits);
  name.append(suffix);
  return name;
}

std::optional<hex_name> parse_hex_name(std::string_view name, std::string_view suffix) {
  if (name.size() != 2 * kHexWidth + 1 + suffix.size() || name[kHexWidth] != '-' ||
      name.substr(2 * kHexWidth + 1) != suffix)
    return std::nullopt;
  auto first = parse_hex16(name.substr(0, kHexWidth));
  auto second = parse_hex16(name.substr(kHexWidth + 1, kHexWidth));
  if (!first || !second) return std::nullopt;
  return hex_name{*first, *second};
}

}  // namespace raftvault::raftlog
