// Test-only: seal with a caller-chosen nonce, to reproduce golden vectors byte for byte.
// Never use outside tests: reusing a nonce under one key breaks both ciphers.
#pragma once

#include <string>
#include <string_view>

#include "codec/cipher.h"

namespace raftvault::codec::testing {

result<std::string> seal_with_nonce(cipher c, key_ref key, std::string_view plaintext,
                                    const record_place& place,
                                    const unsigned char (&nonce)[kNonceBytes]);

}  // namespace raftvault::codec::testing
