// Seals the records of one batch under one key with a single draw for all their nonces.
// libsodium's randombytes_buf is one getrandom(2) call per draw, a noticeable part of sealing
// a 4 KiB entry; a batch of 256 entries pays it once, and small batches take their
// nonces from the thread's reservoir (nonce_reservoir.h). The nonces stay random (never a
// counter or derived), each is used for exactly one record, and a batch that seals more records
// than announced draws a fresh block.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "codec/cipher.h"

namespace raftvault::codec {

class batch_sealer {
 public:
  // `records`: how many seals to draw nonces for up front (a hint, not a limit).
  batch_sealer(cipher c, key_ref key, std::size_t records);

  // Same result as codec::seal(c, key, plaintext, place).
  result<std::string> seal(std::string_view plaintext, const record_place& place);
  // The same record written into `out`, reusing its capacity: sealing a batch into one
  // buffer costs no allocation per record.
  status seal_to(std::string& out, std::string_view plaintext, const record_place& place);

 private:
  status refill();

  cipher cipher_;
  key_ref key_;
  std::size_t per_draw_;  // nonces drawn at a time
  std::vector<unsigned char> nonces_;
  std::size_t used_ = 0;  // nonces handed out from nonces_
};

}  // namespace raftvault::codec
