// A small streaming JSON writer for --json output: keys in the order written (stable for
// scripts), strings escaped per RFC 8259, integers exact. Commas are handled by the writer.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace raftvault::cli {

class json_writer {
 public:
  explicit json_writer(std::ostream& out) : out_(out) {}

  json_writer& begin_object();
  json_writer& end_object();
  json_writer& begin_array();
  json_writer& end_array();
  json_writer& key(std::string_view name);  // then exactly one value or begin_*
  json_writer& value(std::string_view text);
  json_writer& value(const char* text) { return value(std::string_view(text)); }
  json_writer& value(std::uint64_t number);
  json_writer& value(bool flag);
  json_writer& null();

  template <class T>
  json_writer& field(std::string_view name, const T& v) {
    key(name);
    return value(v);
  }
  json_writer& field(std::string_view name, int v) { return field(name, static_cast<std::uint64_t>(v)); }
  json_writer& field(std::string_view name, std::uint32_t v) {
    return field(name, static_cast<std::uint64_t>(v));
  }
  json_writer& field(std::string_view name, const std::vector<std::uint32_t>& numbers);

 private:
  void before_value();
  std::ostream& out_;
  std::vector<bool> first_;  // per open container: no element written yet
  bool after_key_ = false;
};

std::string json_escape(std::string_view text);

}  // namespace raftvault::cli
