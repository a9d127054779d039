// A minimal JSON reader for tests (golden vectors' expected.json): objects, arrays, strings
// (with \uXXXX escapes, including surrogate pairs), numbers, true/false/null. Tests only: it
// throws std::runtime_error naming the byte offset on malformed input or a wrong-type access.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace raftvault::testing::json {

class value {
 public:
  enum class type { null, boolean, number, string, array, object };

  value() = default;
  type kind() const { return type_; }
  bool is_null() const { return type_ == type::null; }
  bool is_object() const { return type_ == type::object; }
  bool is_array() const { return type_ == type::array; }
  bool is_string() const { return type_ == type::string; }
  bool is_number() const { return type_ == type::number; }

  bool as_bool() const;
  double as_double() const;
  // Numbers are kept as their source text too, so 64-bit integers are exact.
  std::int64_t as_int() const;
  std::uint64_t as_uint() const;
  const std::string& as_string() const;
  const std::vector<value>& as_array() const;
  const std::map<std::string, value>& as_object() const;

  bool contains(const std::string& key) const;
  const value& operator[](const std::string& key) const;  // throws if missing
  const value& operator[](std::size_t index) const;       // throws if out of range
  std::size_t size() const;                                // array or object size

  static value make_null() { return value(); }
  static value make_bool(bool b);
  static value make_number(std::string text);
  static value make_string(std::string s);
  static value make_array(std::vector<value> items);
  static value make_object(std::map<std::string, value> members);

 private:
  type type_ = type::null;
  bool bool_ = false;
  std::string text_;  // string value, or number text
  std::shared_ptr<std::vector<value>> array_;
  std::shared_ptr<std::map<std::string, value>> object_;
};

value parse(std::string_view text);

}  // namespace raftvault::testing::json
