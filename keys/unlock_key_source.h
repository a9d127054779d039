// Where an unlock key comes from. Deliberately no command-line form: argv is visible to every
// user through ps and /proc. Every reader wipes its intermediate copies of the text.
#pragma once

#include <cstdint>
#include <string>

#include "keys/unlock_key.h"

namespace raftvault::keys {

// An unlock key file holds one line; anything larger is not one.
constexpr std::uint64_t kMaxUnlockKeyFileBytes = 4096;

// A file holding the text form (surrounding whitespace ignored), or a pipe or FIFO that gives
// it (`<(cat key)`), read until its end. Refused (invalid_argument, naming path and mode) if
// group or others may read it, and (naming the limit) beyond kMaxUnlockKeyFileBytes.
result<unlock_key> read_unlock_key_file(const std::string& path);

// An environment variable holding the text form; errc::not_found names an unset variable.
result<unlock_key> read_unlock_key_env(const std::string& variable);

// Prompts on the controlling terminal (/dev/tty) with echo off and reads one line. `tty_path`
// exists for tests (a pseudo-terminal); errc::not_found when there is no terminal or nothing
// was entered (an empty line, end of input).
result<unlock_key> prompt_unlock_key(const std::string& prompt,
                                     const std::string& tty_path = "/dev/tty");

}  // namespace raftvault::keys
