// A benchmark's result as an ordered list of fields, printed either as a short aligned table
// for people or as one JSON object on one line for scripts (bench/README.md lists the keys).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "codec/error.h"

namespace raftvault::bench {

class report {
 public:
  explicit report(std::string title) : title_(std::move(title)) {}

  // Fields shown in the table (under `label`, followed by `unit`) and in the JSON (as `key`).
  report& add(const std::string& key, const std::string& label, std::uint64_t value,
              const std::string& unit = "");
  report& add(const std::string& key, const std::string& label, double value, int decimals,
              const std::string& unit = "");
  // Fields only in the JSON (the table's title already says them).
  report& add_json(const std::string& key, std::uint64_t value);
  report& add_json(const std::string& key, double value, int decimals);
  report& add_json(const std::string& key, bool value);
  report& add_json(const std::string& key, const std::string& value);
  // Without this a string literal would pick the bool overload.
  report& add_json(const std::string& key, const char* value) {
    return add_json(key, std::string(value));
  }

  std::string table() const;
  std::string json() const;
  const std::string& title() const { return title_; }
  // A number field's value (`all` reads its targets from the runs' reports); nullopt when
  // there is no such number.
  std::optional<double> value(const std::string& key) const;

 private:
  struct number {
    double value;
    int decimals;
  };
  struct field {
    std::string key;
    std::string label;  // empty: JSON only
    std::variant<std::uint64_t, number, bool, std::string> value;
    std::string unit;
  };

  std::string title_;
  std::vector<field> fields_;
};

// Prints `rep` on stdout, as a table or (json) as one JSON line, and writes the JSON line into
// `json_file` when one is named. The error names the file.
status emit(const report& rep, bool json, const std::string& json_file);

// Creates or replaces `path` (0644) with `text`.
status write_text_file(const std::string& path, const std::string& text);

}  // namespace raftvault::bench
