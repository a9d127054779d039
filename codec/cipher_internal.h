// Shared by cipher.cpp (seal) and cipher_open.cpp; not part of the public API.
#pragma once

#include <string>
#include <string_view>

#include "codec/cipher.h"

namespace raftvault::codec::detail {

// Seals with an explicit nonce and associated data (ignored by secretbox and none).
result<std::string> seal_core(cipher c, key_ref key, std::string_view plaintext,
                              std::string_view associated_data, const unsigned char* nonce);

// The same into `out`, whose capacity is reused (resized to the record; a record of the
// size it already has costs no allocation or fill).
status seal_core_into(std::string& out, cipher c, key_ref key, std::string_view plaintext,
                      std::string_view associated_data, const unsigned char* nonce);

// Opens; `what` names the payload in errors ("entry index 42 term 3").
result<std::string> open_core(const std::vector<key_ref>& keys, std::string_view record_bytes,
                              std::string_view associated_data, std::string_view what,
                              none_records policy);

}  // namespace raftvault::codec::detail
