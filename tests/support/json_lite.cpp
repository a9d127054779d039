#include "json_lite.h"

#include <cstdlib>
#include <stdexcept>

namespace raftvault::testing::json {
namespace {

[[noreturn]] void fail(std::size_t offset, const std::string& why) {
  throw std::runtime_error("json: " + why + " at byte " + std::to_string(offset));
}

[[noreturn]] void wrong_type(const char* wanted) {
  throw std::runtime_error(std::string("json: value is not ") + wanted);
}

class parser {
 public:
  explicit parser(std::string_view text) : s_(text) {}

  value parse_document() {
    value v = parse_value(0);
    skip_ws();
    if (pos_ != s_.size()) fail(pos_, "trailing characters");
    return v;
  }

 private:
  void skip_ws() {
    while (pos_ < s_.size() &&
           (s_[pos_] == ' ' || s_[pos_] == '\n' || s_[pos_] == '\r' || s_[pos_] == '\t')) {
      ++pos_;
    }
  }

  bool consume(std::string_view word) {
    if (s_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

  value parse_value(int depth) {
    if (depth > 512) fail(pos_, "nesting too deep");
    skip_ws();
    if (pos_ >= s_.size()) fail(pos_, "unexpected end");
    const char c = s_[pos_];
    if (c == '{') return parse_object(depth);
    if (c == '[') return parse_array(depth);
    if (c == '"') return value::make_string(parse_string());
    if (consume("true")) return value::make_bool(true);
    if (consume("false")) return value::make_bool(false);
    if (consume("null")) return value::make_null();
    if (c == '-' || (c >= '0' && c <= '9')) return parse_number();
    fail(pos_, std::string("unexpected character '") + c + "'");
  }

  value parse_object(int depth) {
    ++pos_;
    std::map<std::string, value> members;
    skip_ws();
    if (pos_ < s_.size() && s_[pos_] == '}') {
      ++pos_;
      return value::make_object(std::move(members));
    }
    for (;;) {
      skip_ws();
      if (pos_ >= s_.size() || s_[pos_] != '"') fail(pos_, "expected a member name");
      std::string key = parse_string();
      skip_ws();
      if (pos_ >= s_.size() || s_[pos_] != ':') fail(pos_, "expected ':'");
      ++pos_;
      members[std::move(key)] = parse_value(depth + 1);
      skip_ws();
      if (pos_ < s_.size() && s_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (pos_ < s_.size() && s_[pos_] == '}') {
        ++pos_;
        return value::make_object(std::move(members));
      }
      fail(pos_, "expected ',' or '}'");
    }
  }

  value parse_array(int depth) {
    ++pos_;
    std::vector<value> items;
    skip_ws();
    if (pos_ < s_.size() && s_[pos_] == ']') {
      ++pos_;
      return value::make_array(std::move(items));
    }
    for (;;) {
      items.push_back(parse_value(depth + 1));
      skip_ws();
      if (pos_ < s_.size() && s_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (pos_ < s_.size() && s_[pos_] == ']') {
        ++pos_;
        return value::make_array(std::move(items));
      }
      fail(pos_, "expected ',' or ']'");
    }
  }

  value parse_number() {
    const std::size_t start = pos_;
    if (s_[pos_] == '-') ++pos_;
    auto digits = [&] {
      const std::size_t d = pos_;
      while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') ++pos_;
      if (pos_ == d) fail(pos_, "expected a digit");
    };
    digits();
    if (pos_ < s_.size() && s_[pos_] == '.') {
      ++pos_;
      digits();
    }
    if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
      ++pos_;
      if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-')) ++pos_;
      digits();
    }
    return value::make_number(std::string(s_.substr(start, pos_ - start)));
  }

  unsigned parse_hex4() {
    if (s_.size() - pos_ < 4) fail(pos_, "truncated \\u escape");
    unsigned v = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = s_[pos_++];
      v <<= 4;
      if (c >= '0' && c <= '9') v |= static_cast<unsigned>(c - '0');
      else if (c >= 'a' && c <= 'f') v |= static_cast<unsigned>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F') v |= static_cast<unsigned>(c - 'A' + 10);
      else fail(pos_ - 1, "bad hex digit in \\u escape");
    }
    return v;
  }

  static void append_utf8(std::string& out, unsigned cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xc0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xe0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
      out += static_cast<char>(0x80 | (cp & 0x3f));
    } else {
      out += static_cast<char>(0xf0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
      out += static_cast<char>(0x80 | (cp & 0x3f));
    }
  }

  std::string parse_string() {
    ++pos_;  // opening quote
    std::string out;
    for (;;) {
      if (pos_ >= s_.size()) fail(pos_, "unterminated string");
      const char c = s_[pos_++];
      if (c == '"') return out;
      if (static_cast<unsigned char>(c) < 0x20) fail(pos_ - 1, "control character in string");
      if (c != '\\') {
        out += c;
        continue;
      }
      if (pos_ >= s_.size()) fail(pos_, "unterminated escape");
      const char e = s_[pos_++];
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          unsigned cp = parse_hex4();
          if (cp >= 0xd800 && cp < 0xdc00 && consume("\\u")) {
            const unsigned low = parse_hex4();
            if (low < 0xdc00 || low >= 0xe000) fail(pos_, "bad surrogate pair");
            cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
          }
          append_utf8(out, cp);
          break;
        }
        default: fail(pos_ - 1, std::string("bad escape \\") + e);
      }
    }
  }

  std::string_view s_;
  std::size_t pos_ = 0;
};

}  // namespace

value value::make_bool(bool b) {
  value v;
  v.type_ = type::boolean;
  v.bool_ = b;
  return v;
}
value value::make_number(std::string text) {
  value v;
  v.type_ = type::number;
  v.text_ = std::move(text);
  return v;
}
value value::make_string(std::string s) {
  value v;
  v.type_ = type::string;
  v.text_ = std::move(s);
  return v;
}
value value::make_array(std::vector<value> items) {
  value v;
  v.type_ = type::array;
  v.array_ = std::make_shared<std::vector<value>>(std::move(items));
  return v;
}
value value::make_object(std::map<std::string, value> members) {
  value v;
  v.type_ = type::object;
  v.object_ = std::make_shared<std::map<std::string, value>>(std::move(members));
  return v;
}

bool value::as_bool() const {
  if (type_ != type::boolean) wrong_type("a boolean");
  return bool_;
}
double value::as_double() const {
  if (type_ != type::number) wrong_type("a number");
  return std::strtod(text_.c_str(), nullptr);
}
std::int64_t value::as_int() const {
  if (type_ != type::number) wrong_type("a number");
  if (text_.find_first_of(".eE") != std::string::npos) wrong_type("an integer");
  return std::strtoll(text_.c_str(), nullptr, 10);
}
std::uint64_t value::as_uint() const {
  if (type_ != type::number) wrong_type("a number");
  if (text_.find_first_of(".eE-") != std::string::npos) wrong_type("an unsigned integer");
  return std::strtoull(text_.c_str(), nullptr, 10);
}
const std::string& value::as_string() const {
  if (type_ != type::string) wrong_type("a string");
  return text_;
}
const std::vector<value>& value::as_array() const {
  if (type_ != type::array) wrong_type("an array");
  return *array_;
}
const std::map<std::string, value>& value::as_object() const {
  if (type_ != type::object) wrong_type("an object");
  return *object_;
}
bool value::contains(const std::string& key) const {
  return type_ == type::object && object_->count(key) != 0;
}
const value& value::operator[](const std::string& key) const {
  const auto& members = as_object();
  const auto it = members.find(key);
  if (it == members.end()) throw std::runtime_error("json: no member \"" + key + "\"");
  return it->second;
}
const value& value::operator[](std::size_t index) const {
  const auto& items = as_array();
  if (index >= items.size()) throw std::runtime_error("json: index out of range");
  return items[index];
}
std::size_t value::size() const {
  if (type_ == type::array) return array_->size();
  if (type_ == type::object) return object_->size();
  wrong_type("an array or object");
}

value parse(std::string_view text) { return parser(text).parse_document(); }

}  // namespace raftvault::testing::json
