#include "tools/path_overlap.h"

#include <filesystem>
#include <system_error>

namespace raftvault::cli {
namespace {

namespace fs = std::filesystem;

fs::path resolved(const std::string& path) {
  std::error_code ec;
  fs::path absolute = fs::absolute(path, ec);
  if (ec) absolute = fs::path(path);
  fs::path canonical = fs::weakly_canonical(absolute, ec);  // existing prefix resolved
  return (ec ? absolute : canonical).lexically_normal();
}

}  // namespace

bool path_within(const std::string& inner, const std::string& outer) {
  const fs::path in = resolved(inner);
  const fs::path out = resolved(outer);
  auto i = in.begin();
  for (const auto& part : out) {
    if (part.empty()) continue;  // a trailing separator
    while (i != in.end() && i->empty()) ++i;
    if (i == in.end() || *i != part) return false;
    ++i;
  }
  return true;
}

}  // namespace raftvault::cli
