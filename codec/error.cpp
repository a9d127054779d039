#include "codec/error.h"

#include <cstring>

namespace raftvault {

std::string_view to_string(errc code) {
  switch (code) {
    case errc::io: return "io";
    case errc::corruption: return "corruption";
    case errc::torn_tail: return "torn_tail";
    case errc::wrong_key: return "wrong_key";
    case errc::missing_key: return "missing_key";
    case errc::unsupported_algorithm: return "unsupported_algorithm";
    case errc::invalid_argument: return "invalid_argument";
    case errc::closed: return "closed";
    case errc::already_exists: return "already_exists";
    case errc::not_found: return "not_found";
    case errc::locked: return "locked";
  }
  return "unknown";
}

std::string error::describe() const {
  std::string out(to_string(code_));
  out += ": ";
  out += message_;
  return out;
}

error error::with_context(std::string_view context) const {
  std::string message(context);
  message += ": ";
  message += message_;
  return error(code_, std::move(message), sys_errno_);
}

error io_error(std::string_view what, std::string_view path, int sys_errno) {
  std::string message(what);
  message += " ";
  message += path;
  message += ": ";
  message += std::strerror(sys_errno);
  return error(errc::io, std::move(message), sys_errno);
}

}  // namespace raftvault
