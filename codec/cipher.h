// Payload ciphers (docs/encryption.md): seal a plaintext into an encoded MaybeEncryptedRecord and
// open it again with a set of keys. Pure functions over libsodium (and OpenSSL for large
// XChaCha20-Poly1305 payloads, same bytes: codec/xchacha20poly1305.h); keys are borrowed.
//
// Record wire format (protobuf, raftvault.encryption.MaybeEncryptedRecord, fields in number
// order exactly as the protobuf library writes them; proto3 omits zero/empty fields):
//   secretbox:          08 01 | 12 <len> <16-byte MAC || XSalsa20 ct> | 1a 18 <nonce>
//                       (SwarmKit's bytes exactly: no key_id, no associated data)
//   xchacha20poly1305:  08 03 | 12 <len> <ct || 16-byte tag> | 1a 18 <nonce> | 20 <key_id>
//   none:               12 <len> <plaintext>   (SwarmKit's NotEncrypted form)
// Nonces are 24 bytes from libsodium's CSPRNG for every record, never a counter.
//
// Security note: secretbox records carry no associated data, so a secretbox ciphertext copied
// to another entry or the snapshot still opens there (SwarmKit's weakness, kept for
// compatibility). XChaCha20-Poly1305 binds each record to its record_place.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "codec/error_types.h"
#include "codec/record_place.h"

namespace raftvault::codec {

enum class cipher { none = 0, secretbox = 1, xchacha20poly1305 = 3 };

// "none", "secretbox", "xchacha20poly1305". parse_cipher fails with invalid_argument naming
// the bad value and the accepted ones.
std::string_view to_string(cipher c);
result<cipher> parse_cipher(std::string_view name);

constexpr std::size_t kKeyBytes = 32;
constexpr std::size_t kNonceBytes = 24;
constexpr std::size_t kTagBytes = 16;

// MaybeEncryptedRecord.Algorithm values on the wire.
enum class record_algorithm : std::uint32_t {
  none = 0,
  secretbox_salsa20_poly1305 = 1,
  fernet_aes_128_cbc = 2,  // SwarmKit's; always refused
  xchacha20_poly1305 = 3,
};
// Protobuf enum names ("NONE", "FERNET_AES_128_CBC", ...) or the number for unknown values.
std::string algorithm_name(std::uint32_t algorithm);

// A 32-byte key borrowed from its owner (keys/ keeps it in guarded memory). `generation` is the
// DEK generation written as key_id; generation 0 means "not recorded".
struct key_ref {
  std::uint32_t generation;
  const unsigned char* bytes;  // kKeyBytes bytes, valid for the duration of the call
};
using key_set = std::vector<key_ref>;

// Seals `plaintext` for `place` and returns the encoded record. Fails (invalid_argument) only
// for a null key with an encrypting cipher.
result<std::string> seal(cipher c, key_ref key, std::string_view plaintext,
                         const record_place& place);

// Whether open() accepts an algorithm NONE record. SwarmKit does (its NotEncrypted records);
// an encrypted store should refuse them so a plaintext record cannot be slipped in.
enum class none_records { accept, refuse };

// Opens a record sealed for `place`. The key is chosen by key_id when the record has one,
// otherwise every key is tried in order. Errors:
//   corruption            record does not parse, bad nonce length, ciphertext shorter than a tag,
//                         or a NONE record under none_records::refuse
//   missing_key           key_id N is not in `keys` (message names generation N), or no keys
//   wrong_key             authentication failed with every candidate key (message names place)
//   unsupported_algorithm FERNET_AES_128_CBC or an unknown algorithm value
result<std::string> open(const std::vector<key_ref>& keys, std::string_view record_bytes,
                         const record_place& place,
                         none_records policy = none_records::accept);

// What a record says about itself, read without decrypting (verify, rotation bookkeeping).
struct record_header {
  std::uint32_t algorithm = 0;  // record_algorithm value, possibly unknown
  std::uint32_t key_id = 0;     // 0 = absent
  std::size_t data_size = 0;    // ciphertext (or plaintext for NONE) bytes
  std::size_t nonce_size = 0;
};
result<record_header> inspect_record(std::string_view record_bytes);

// Generic XChaCha20-Poly1305 records with caller-chosen associated data, for payloads that are
// not raft log records (keys/ wraps DEKs under the KEK with the header name as AD). Same wire
// format as above; `what` names the payload in error messages.
result<std::string> seal_with_ad(key_ref key, std::string_view plaintext,
                                 std::string_view associated_data);
result<std::string> open_with_ad(const std::vector<key_ref>& keys, std::string_view record_bytes,
                                 std::string_view associated_data, std::string_view what);

// A NONE record holding `plaintext` (what seal(cipher::none, ...) returns). keys/ stores
// unwrapped DEKs this way with key_id = the DEK generation.
std::string encode_plain_record(std::string_view plaintext, std::uint32_t key_id = 0);

// The contents of a NONE record; corruption if the record does not parse or is encrypted.
struct plain_record {
  std::string data;
  std::uint32_t key_id = 0;
};
result<plain_record> decode_plain_record(std::string_view record_bytes);

// Initialises libsodium once (thread-safe); every function above calls it. Returns false if
// libsodium cannot initialise (then seal/open fail with errc::io).
bool ensure_sodium();

}  // namespace raftvault::codec
