// The hashes over node.key's text (docs/keys.md): the keyless raftvault-digest that every
// reader checks first, and the BLAKE2b-256 that the keyed kek-mac and kek-check use. Internal to
// key_file.cpp; no I/O.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <string>
#include <string_view>

#include "codec/error.h"

namespace raftvault::keys {

constexpr std::size_t kKeyFileDigestBytes = 32;

// BLAKE2b-256 of `text` without the header lines named in `skipped` ("name: value\n"), keyed
// when `key` is given. Streamed over the pieces: no copy of the text (an unlocked file's DEKs)
// is made.
std::string blake2b_without_lines(std::string_view text,
                                  std::initializer_list<std::string_view> skipped,
                                  const unsigned char* key = nullptr, std::size_t key_size = 0);

// `text` (a whole key file, without a digest line) with its digest line inserted as the first
// header of the state block. `text` is wiped, and the result sized first so that building it
// frees no copy of an unlocked file's DEKs.
std::string with_digest_line(std::string& text);

// Checks the digest line when the file has one (`present` says whether). A mismatch, or a
// digest line that is not "blake2b-256:" and 32 bytes of base64, is errc::corruption "key file
// P is damaged (digest mismatch): ...".
status check_digest(std::string_view text, const std::string& path, bool& present);

}  // namespace raftvault::keys
