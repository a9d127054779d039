#include "tools/table.h"

#include <algorithm>

namespace raftvault::cli {
namespace {

bool numeric(const std::string& cell) {
  return !cell.empty() && std::all_of(cell.begin(), cell.end(), [](char c) {
    return (c >= '0' && c <= '9') || c == ',' || c == '.';
  });
}

}  // namespace

std::string thousands(std::uint64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i != 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

void key_value_list::print(std::ostream& out, const std::string& indent) const {
  std::size_t width = 0;
  for (const auto& row : rows_) width = std::max(width, row.first.size());
  for (const auto& row : rows_)
    out << indent << row.first << std::string(width - row.first.size() + 2, ' ') << row.second << "\n";
}

void table::print(std::ostream& out, const std::string& indent) const {
  std::vector<std::size_t> widths(header_.size(), 0);
  for (std::size_t c = 0; c < header_.size(); ++c) widths[c] = header_[c].size();
  for (const auto& row : rows_)
    for (std::size_t c = 0; c < row.size() && c < widths.size(); ++c)
      widths[c] = std::max(widths[c], row[c].size());
  auto line = [&](const std::vector<std::string>& row, bool is_header) {
    std::string text = indent;
    for (std::size_t c = 0; c < widths.size(); ++c) {
      const std::string cell = c < row.size() ? row[c] : "";
      const std::string pad(widths[c] - cell.size(), ' ');
      const bool right = !is_header && numeric(cell);
      text += right ? pad + cell : cell + (c + 1 < widths.size() ? pad : "");
      if (c + 1 < widths.size()) text += "  ";
    }
    while (!text.empty() && text.back() == ' ') text.pop_back();
    out << text << "\n";
  };
  line(header_, true);
  for (const auto& row : rows_) line(row, false);
}

}  // namespace raftvault::cli
