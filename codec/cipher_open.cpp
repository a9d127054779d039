// Opening records: parse, pick candidate keys by key_id, authenticate. Every failure is typed
// so callers can tell a missing key from a wrong key from damaged bytes.
#include <sodium.h>

#include "codec/cipher.h"
#include "codec/cipher_internal.h"
#include "codec/record_wire.h"
#include "codec/xchacha20poly1305.h"

namespace raftvault::codec {
namespace {

std::string generations(const std::vector<key_ref>& keys) {
  std::string out;
  for (const auto& k : keys) {
    if (!out.empty()) out += ", ";
    out += std::to_string(k.generation);
  }
  return out.empty() ? "none" : out;
}

bool try_open(std::uint32_t algorithm, const key_ref& key, std::string_view data,
              const unsigned char* nonce, std::string_view ad, std::string& out) {
  if (key.bytes == nullptr) return false;
  out.resize(data.size() - kTagBytes);
  auto* dst = reinterpret_cast<unsigned char*>(out.data());
  const auto* src = reinterpret_cast<const unsigned char*>(data.data());
  if (algorithm == static_cast<std::uint32_t>(record_algorithm::secretbox_salsa20_poly1305)) {
    return crypto_secretbox_open_easy(dst, src, data.size(), nonce, key.bytes) == 0;
  }
  return detail::xchacha_open(dst, src, data.size() - kTagBytes, ad, nonce, key.bytes);
}

}  // namespace

result<record_header> inspect_record(std::string_view record_bytes) {
  auto parsed = wire::parse_record(record_bytes);
  if (!parsed) return parsed.error();
  record_header h;
  h.algorithm = parsed->algorithm;
  h.key_id = parsed->key_id;
  h.data_size = parsed->data.size();
  h.nonce_size = parsed->nonce.size();
  return h;
}

namespace detail {

result<std::string> open_core(const std::vector<key_ref>& keys, std::string_view record_bytes,
                              std::string_view associated_data, std::string_view what,
                              none_records policy) {
  const std::string where(what);
  auto parsed = wire::parse_record(record_bytes);
  if (!parsed) return parsed.error().with_context(where);
  const auto& rec = parsed.value();
  switch (static_cast<record_algorithm>(rec.algorithm)) {
    case record_algorithm::none:
      if (policy == none_records::refuse) {
        return error(errc::corruption, where + ": record is not encrypted (algorithm NONE) "
                                               "where an encrypted record is required");
      }
      return std::string(rec.data);
    case record_algorithm::secretbox_salsa20_poly1305:
    case record_algorithm::xchacha20_poly1305:
      break;
    default:
      return error(errc::unsupported_algorithm,
                   "unsupported algorithm " + algorithm_name(rec.algorithm) + " in " + where);
  }
  if (rec.nonce.size() != kNonceBytes) {
    return error(errc::corruption, where + ": nonce is " + std::to_string(rec.nonce.size()) +
                                       " bytes, expected " + std::to_string(kNonceBytes));
  }
  if (rec.data.size() < kTagBytes) {
    return error(errc::corruption, where + ": ciphertext is " + std::to_string(rec.data.size()) +
                                       " bytes, shorter than the " + std::to_string(kTagBytes) +
                                       "-byte authentication tag");
  }
  if (!ensure_sodium()) return error(errc::io, "libsodium failed to initialise");
  const auto* nonce = reinterpret_cast<const unsigned char*>(rec.nonce.data());
  std::string out;
  if (rec.key_id != 0) {
    for (const auto& key : keys) {
      if (key.generation != rec.key_id) continue;
      if (try_open(rec.algorithm, key, rec.data, nonce, associated_data, out)) return out;
      return error(errc::wrong_key, "authentication failed for " + where + " with key generation " +
                                        std::to_string(rec.key_id) +
                                        ": wrong key or tampered record");
    }
    return error(errc::missing_key, where + " was sealed with key generation " +
                                        std::to_string(rec.key_id) +
                                        ", which is not held (held generations: " +
                                        generations(keys) + ")");
  }
  if (keys.empty()) return error(errc::missing_key, "no key held to open " + where);
  for (const auto& key : keys) {
    if (try_open(rec.algorithm, key, rec.data, nonce, associated_data, out)) return out;
  }
  return error(errc::wrong_key, "authentication failed for " + where + " with every held key " +
                                    "(generations " + generations(keys) +
                                    "): wrong key or tampered record");
}

}  // namespace detail
}  // namespace raftvault::codec
