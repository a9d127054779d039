// The key file keys/node.key (docs/keys.md): two PEM blocks, encoded and decoded here without
// any I/O. key_store owns reading, writing and the rotation rules.
//
//   -----BEGIN RAFTVAULT KEY STATE-----
//   raftvault-digest: blake2b-256:<base64 32 bytes>      (always first; see below)
//   kek-version: 3
//   raft-dek: <base64 MaybeEncryptedRecord: the current DEK>
//   raft-dek-pending: <same, the pending DEK>            (only while a rotation is pending)
//   raft-dek-needs-rotation: true|false
//   kek-check: <base64 32 bytes>                          (locked only)
//   kek-mac: <base64 32 bytes>                            (locked only, always last)
//
//   <base64 "raftvault key state v1">
//   -----END RAFTVAULT KEY STATE-----
//   -----BEGIN ENCRYPTED PRIVATE KEY-----   (PRIVATE KEY when unlocked)
//   ...
//
// raftvault-digest is an unkeyed BLAKE2b-256 of the whole file minus its own line: it needs no
// key, so accidental damage to an unlocked file is found too. kek-mac (keyed, locked files
// only) covers the whole file minus its own line and the digest line, so it is written first.
// A file without a digest (written before it existed) is read, and gets one at its next write.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "keys/dek.h"
#include "keys/secret_bytes.h"
#include "keys/unlock_key.h"

namespace raftvault::keys {

constexpr std::string_view kStateBlock = "RAFTVAULT KEY STATE";
constexpr std::string_view kStateBody = "raftvault key state v1";
constexpr std::string_view kHeaderKekVersion = "kek-version";
constexpr std::string_view kHeaderDek = "raft-dek";
constexpr std::string_view kHeaderDekPending = "raft-dek-pending";
constexpr std::string_view kHeaderNeedsRotation = "raft-dek-needs-rotation";
constexpr std::string_view kHeaderKekCheck = "kek-check";
constexpr std::string_view kHeaderMac = "kek-mac";
constexpr std::string_view kHeaderDigest = "raftvault-digest";
constexpr std::string_view kDigestAlgorithm = "blake2b-256:";
// A key file is a few KiB (headers and one private key); a larger one is refused unread.
constexpr std::uint64_t kMaxKeyFileBytes = 1 << 20;

struct key_file_contents {
  std::uint64_t kek_version = 0;
  dek current;
  std::optional<dek> pending;
  bool needs_rotation = false;  // the F flag (docs/keys.md)
  secret_bytes tls_key;         // PKCS#8 DER

  result<key_file_contents> clone() const;
};

// The TLS key's PEM block of the key file: ENCRYPTED PRIVATE KEY under `kek`, else PRIVATE KEY.
result<secret_bytes> encode_tls_key_block(const secret_bytes& tls_key, const unlock_key* kek);

// Serialises `contents`, locked under `kek` when it is not null: DEKs wrapped with
// XChaCha20-Poly1305, the TLS key as ENCRYPTED PRIVATE KEY, a key check and a MAC.
// `tls_key_block`, when given, is encode_tls_key_block(contents.tls_key, kek) made earlier:
// OpenSSL's PKCS#8 decoder and encoder cost ~0.5 ms of CPU per call, three times per DEK
// rotation, on a machine whose two cores also run the append path.
result<std::string> encode_key_file(const key_file_contents& contents, const unlock_key* kek,
                                    const secret_bytes* tls_key_block = nullptr);

// Parses and verifies a key file. `path` names the file in errors. Errors:
//   corruption      digest mismatch ("the key file is damaged"); structure, headers, base64
//                   or records are wrong; MAC mismatch
//   missing_key     the file is locked and `kek` is null
//   wrong_key       "wrong unlock key" (the key check does not match)
result<key_file_contents> decode_key_file(std::string_view text, const unlock_key* kek,
                                          const std::string& path);

// What can be learnt without a key: whether the file is locked, its kek-version, and whether
// it carries a digest (it was checked when it does). The digest and structure are checked.
struct key_file_summary {
  bool locked = false;
  std::uint64_t kek_version = 0;
  bool has_digest = false;
};
result<key_file_summary> peek_key_file(std::string_view text, const std::string& path);

}  // namespace raftvault::keys
