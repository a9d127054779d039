// One error type for every layer (docs/design.md, "Errors"): a category that callers branch on
// and a message for people that names the file, byte offset or option at fault. Public headers
// include this file; the library's own code includes codec/error.h for RV_TRY and RV_ASSIGN.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace raftvault {

enum class errc {
  io,                     // a system call failed (errno is kept)
  corruption,             // bytes on disk are not what was written
  torn_tail,              // the last segment ends in a partial write (repairable)
  wrong_key,              // authentication failed with every key held
  missing_key,            // a record names a key generation that is not held
  unsupported_algorithm,  // a record uses a cipher raftvault refuses (e.g. Fernet)
  invalid_argument,       // the caller asked for something impossible
  closed,                 // the object was closed or has failed (fail-stop)
  already_exists,         // refusing to overwrite
  not_found,              // a file, snapshot or record that must exist does not
  locked,                 // another process holds the store's lock
};

std::string_view to_string(errc code);

class error {
 public:
  error(errc code, std::string message, int sys_errno = 0)
      : code_(code), message_(std::move(message)), sys_errno_(sys_errno) {}

  errc code() const { return code_; }
  const std::string& message() const { return message_; }
  int sys_errno() const { return sys_errno_; }

  // "category: message", the form printed to operators.
  std::string describe() const;

  // Prefixes context once, at the layer that knows it ("open wal /x: ...").
  error with_context(std::string_view context) const;

 private:
  errc code_;
  std::string message_;
  int sys_errno_;
};

// An error built from errno after a failed system call: "<what> <path>: <strerror>".
error io_error(std::string_view what, std::string_view path, int sys_errno);

// A value or an error. Deliberately small: has_value / value / error / operator bool.
template <class T>
class [[nodiscard]] result {
 public:
  result(T value) : state_(std::in_place_index<0>, std::move(value)) {}
  result(::raftvault::error err) : state_(std::in_place_index<1>, std::move(err)) {}

  bool has_value() const { return state_.index() == 0; }
  explicit operator bool() const { return has_value(); }

  T& value() & { return std::get<0>(state_); }
  const T& value() const& { return std::get<0>(state_); }
  T&& value() && { return std::get<0>(std::move(state_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const ::raftvault::error& error() const { return std::get<1>(state_); }

 private:
  std::variant<T, ::raftvault::error> state_;
};

// The result of an operation with no value.
class [[nodiscard]] status {
 public:
  status() = default;
  status(::raftvault::error err) : error_(std::move(err)), failed_(true) {}
  static status ok() { return status(); }

  bool has_value() const { return !failed_; }
  explicit operator bool() const { return !failed_; }
  const ::raftvault::error& error() const { return error_; }

 private:
  ::raftvault::error error_{errc::io, {}};
  bool failed_ = false;
};

}  // namespace raftvault
