#include "codec/batch_sealer.h"

#include <sodium.h>

#include <algorithm>

#include "codec/cipher_internal.h"
#include "codec/nonce_reservoir.h"

namespace raftvault::codec {

batch_sealer::batch_sealer(cipher c, key_ref key, std::size_t records)
    : cipher_(c), key_(key), per_draw_(std::max<std::size_t>(records, 1)) {}

status batch_sealer::refill() {
  nonces_.resize(per_draw_ * kNonceBytes);
  RV_TRY(random_nonce_bytes(nonces_.data(), nonces_.size()));
  used_ = 0;
  return {};
}

result<std::string> batch_sealer::seal(std::string_view plaintext, const record_place& place) {
  std::string out;
  RV_TRY(seal_to(out, plaintext, place));
  return out;
}

status batch_sealer::seal_to(std::string& out, std::string_view plaintext,
                             const record_place& place) {
  if (cipher_ == cipher::none) {
    out = encode_plain_record(plaintext);
    return {};
  }
  if ((used_ + 1) * kNonceBytes > nonces_.size()) RV_TRY(refill());
  const unsigned char* nonce = nonces_.data() + used_ * kNonceBytes;
  ++used_;
  unsigned char ad[kPlaceAssociatedDataSize];
  encode_place_associated_data(place, ad);
  return detail::seal_core_into(
      out, cipher_, key_, plaintext,
      std::string_view(reinterpret_cast<const char*>(ad), sizeof(ad)), nonce);
}

}  // namespace raftvault::codec
