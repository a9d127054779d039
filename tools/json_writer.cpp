#include "tools/json_writer.h"

#include <cstdio>

namespace raftvault::cli {

std::string json_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  for (unsigned char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out;
}

void json_writer::before_value() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (!first_.empty()) {
    if (!first_.back()) out_ << ",";
    first_.back() = false;
  }
}

json_writer& json_writer::begin_object() {
  before_value();
  out_ << "{";
  first_.push_back(true);
  return *this;
}
json_writer& json_writer::end_object() {
  first_.pop_back();
  out_ << "}";
  return *this;
}
json_writer& json_writer::begin_array() {
  before_value();
  out_ << "[";
  first_.push_back(true);
  return *this;
}
json_writer& json_writer::end_array() {
  first_.pop_back();
  out_ << "]";
  return *this;
}
json_writer& json_writer::key(std::string_view name) {
  before_value();
  out_ << '"' << json_escape(name) << "\":";
  after_key_ = true;
  return *this;
}
json_writer& json_writer::value(std::string_view text) {
  before_value();
  out_ << '"' << json_escape(text) << '"';
  return *this;
}
json_writer& json_writer::value(std::uint64_t number) {
  before_value();
  out_ << number;
  return *this;
}
json_writer& json_writer::value(bool flag) {
  before_value();
  out_ << (flag ? "true" : "false");
  return *this;
}
json_writer& json_writer::null() {
  before_value();
  out_ << "null";
  return *this;
}
json_writer& json_writer::field(std::string_view name, const std::vector<std::uint32_t>& numbers) {
  key(name);
  begin_array();
  for (auto n : numbers) value(static_cast<std::uint64_t>(n));
  return end_array();
}

}  // namespace raftvault::cli
