// Aligned output for people: "key   value" rows and column tables, written to a stream.
#pragma once

#include <ostream>
#include <string>
#include <utility>
#include <vector>

namespace raftvault::cli {

// Rows of (label, value), labels padded to the widest.
class key_value_list {
 public:
  key_value_list& add(std::string label, std::string value) {
    rows_.emplace_back(std::move(label), std::move(value));
    return *this;
  }
  void print(std::ostream& out, const std::string& indent = "") const;

 private:
  std::vector<std::pair<std::string, std::string>> rows_;
};

// A table with a header row; numeric-looking cells are right-aligned.
class table {
 public:
  explicit table(std::vector<std::string> header) : header_(std::move(header)) {}
  void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  void print(std::ostream& out, const std::string& indent = "") const;
  std::size_t size() const { return rows_.size(); }

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

// 1234567 -> "1,234,567".
std::string thousands(std::uint64_t n);

}  // namespace raftvault::cli
