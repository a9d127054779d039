// A benchmark's result as an ordered list of fields, printed either as a short aligned table
// for people or as one JSON object on one line for scripts (bench/README.md lists the keys).
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

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

}  // namespace raftvault::bench
