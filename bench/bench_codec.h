// The project's payload codec as the benches use it: the cipher named on the command line,
// sealing with a fresh random DEK held in guarded memory (keys/dek.h).
#pragma once

#include <memory>

#include "bench/options.h"
#include "codec/cipher.h"
#include "raftlog/payload_codec.h"

namespace raftvault::bench {

codec::cipher codec_cipher(cipher_choice c);

// A codec sealing with a fresh random DEK (generation 1); cipher_choice::none: plaintext.
result<std::shared_ptr<const raftlog::payload_codec>> make_bench_codec(cipher_choice c);

}  // namespace raftvault::bench
