#include "bench/bench_codec.h"

#include "keys/dek.h"

namespace raftvault::bench {

codec::cipher codec_cipher(cipher_choice c) {
  switch (c) {
    case cipher_choice::secretbox: return codec::cipher::secretbox;
    case cipher_choice::xchacha20poly1305: return codec::cipher::xchacha20poly1305;
    case cipher_choice::none: break;
  }
  return codec::cipher::none;
}

result<std::shared_ptr<const raftlog::payload_codec>> make_bench_codec(cipher_choice c) {
  if (c == cipher_choice::none) return raftlog::payload_codec::plaintext();
  RV_ASSIGN(keys::dek generated, keys::generate_dek(1));
  auto owner = std::make_shared<keys::dek>(std::move(generated));
  raftlog::held_key key{owner->ref(), owner};
  return raftlog::payload_codec::make(codec_cipher(c), key, {key});
}

}  // namespace raftvault::bench
