// starts_with/ends_with for C++17 (std::string_view gains them in C++20). They live in keys/, the
// lowest layer that needs them (the PEM parser); raftlog uses them for file-name suffixes.
#pragma once

#include <string_view>

namespace raftvault::keys {

inline bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

inline bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

}  // namespace raftvault::keys
