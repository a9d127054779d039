#include "bench/report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include <fcntl.h>

#include "fileio/file.h"

namespace raftvault::bench {
namespace {

std::string fixed(double value, int decimals) {
  if (!std::isfinite(value)) return "0";  // JSON has no inf/nan; a zero-time run reports 0
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", decimals, value);
  return text;
}

// "1234567.5" -> "1,234,567.5": rates are read at a glance (tables only, never JSON).
std::string grouped(const std::string& number) {
  const std::size_t end = std::min(number.find('.'), number.size());
  std::string out;
  for (std::size_t i = 0; i < end; ++i) {
    if (i > 0 && (end - i) % 3 == 0) out += ',';
    out += number[i];
  }
  return out + number.substr(end);
}

std::string json_string(const std::string& text) {
  std::string out = "\"";
  for (unsigned char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
      out += escaped;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

}  // namespace

report& report::add(const std::string& key, const std::string& label, std::uint64_t value,
                    const std::string& unit) {
  fields_.push_back({key, label, value, unit});
  return *this;
}

report& report::add(const std::string& key, const std::string& label, double value, int decimals,
                    const std::string& unit) {
  fields_.push_back({key, label, number{value, decimals}, unit});
  return *this;
}

report& report::add_json(const std::string& key, std::uint64_t value) { return add(key, "", value); }
report& report::add_json(const std::string& key, double value, int decimals) {
  return add(key, "", value, decimals);
}
report& report::add_json(const std::string& key, bool value) {
  fields_.push_back({key, "", value, ""});
  return *this;
}
report& report::add_json(const std::string& key, const std::string& value) {
  fields_.push_back({key, "", value, ""});
  return *this;
}

std::string report::table() const {
  std::size_t label_width = 0;
  std::vector<std::pair<std::string, std::string>> rows;  // label, value + unit
  for (const auto& f : fields_) {
    if (f.label.empty()) continue;
    std::string value;
    if (auto* n = std::get_if<std::uint64_t>(&f.value)) value = grouped(std::to_string(*n));
    else if (auto* d = std::get_if<number>(&f.value)) value = grouped(fixed(d->value, d->decimals));
    else if (auto* b = std::get_if<bool>(&f.value)) value = *b ? "yes" : "no";
    else value = std::get<std::string>(f.value);
    rows.emplace_back(f.label, value);
    label_width = std::max(label_width, f.label.size());
  }
  std::size_t value_width = 0;
  for (const auto& row : rows) value_width = std::max(value_width, row.second.size());

  std::string out = title_ + "\n";
  std::size_t row_index = 0;
  for (const auto& f : fields_) {
    if (f.label.empty()) continue;
    const auto& row = rows[row_index++];
    out += "  " + row.first + std::string(label_width - row.first.size() + 2, ' ');
    out += std::string(value_width - row.second.size(), ' ') + row.second;  // right-aligned
    if (!f.unit.empty()) out += " " + f.unit;
    out += "\n";
  }
  return out;
}

std::string report::json() const {
  std::string out = "{";
  for (std::size_t i = 0; i < fields_.size(); ++i) {
    const auto& f = fields_[i];
    if (i > 0) out += ", ";
    out += json_string(f.key) + ": ";
    if (auto* n = std::get_if<std::uint64_t>(&f.value)) out += std::to_string(*n);
    else if (auto* d = std::get_if<number>(&f.value)) out += fixed(d->value, d->decimals);
    else if (auto* b = std::get_if<bool>(&f.value)) out += *b ? "true" : "false";
    else out += json_string(std::get<std::string>(f.value));
  }
  return out + "}";
}

std::optional<double> report::value(const std::string& key) const {
  for (const auto& f : fields_) {
    if (f.key != key) continue;
    if (auto* n = std::get_if<std::uint64_t>(&f.value)) return static_cast<double>(*n);
    if (auto* d = std::get_if<number>(&f.value)) return d->value;
  }
  return std::nullopt;
}

status write_text_file(const std::string& path, const std::string& text) {
  RV_ASSIGN(auto f, fileio::file::open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644));
  RV_TRY(f.write_all(text));
  return f.close();
}

status emit(const report& rep, bool json, const std::string& json_file) {
  std::fputs(json ? (rep.json() + "\n").c_str() : rep.table().c_str(), stdout);
  if (json_file.empty()) return {};
  return write_text_file(json_file, rep.json() + "\n");
}

}  // namespace raftvault::bench
