#include "keys/key_file.h"

#include <sodium.h>

#include <charconv>
#include <optional>
#include <system_error>
#include <vector>

#include "codec/cipher.h"
#include "keys/key_file_digest.h"
#include "keys/key_file_testing.h"
#include "keys/pem.h"
#include "keys/tls_key.h"

namespace raftvault::keys {
namespace {

constexpr std::string_view kEncryptedKeyBlock = "ENCRYPTED PRIVATE KEY";
constexpr std::string_view kPlainKeyBlock = "PRIVATE KEY";
constexpr char kKdfContext[crypto_kdf_CONTEXTBYTES + 1] = "rvkeyfil";
constexpr std::uint64_t kMacSubkey = 1;
constexpr std::uint64_t kCheckSubkey = 2;

error corrupt(const std::string& path, const std::string& why) {
  return error(errc::corruption, "key file " + path + ": " + why);
}

// Keyed BLAKE2b-256 of `text` (minus the `skipped` lines) under a subkey of the KEK
// (crypto_kdf, context "rvkeyfil").
std::string kek_hash(const unlock_key& kek, std::uint64_t subkey_id, std::string_view text,
                     std::initializer_list<std::string_view> skipped = {}) {
  unsigned char subkey[32];
  crypto_kdf_derive_from_key(subkey, sizeof subkey, subkey_id, kKdfContext, kek.bytes().data());
  std::string digest = blake2b_without_lines(text, skipped, subkey, sizeof subkey);
  sodium_memzero(subkey, sizeof subkey);
  return digest;
}

std::string key_check(const unlock_key& kek) {
  return kek_hash(kek, kCheckSubkey, "raftvault/v1 kek-check");
}

std::string dek_ad(std::string_view header, std::uint32_t generation) {
  return "raftvault/v1 key-file " + std::string(header) + " generation " +
         std::to_string(generation);
}

result<std::string> wrap_dek(const dek& d, std::string_view header, const unlock_key* kek) {
  if (kek == nullptr) {
    // Autolock off: the DEK is stored unwrapped by the operator's choice; the intermediate
    // record is still wiped (only the returned header value carries the key).
    std::string record = codec::encode_plain_record(d.key.view(), d.generation);
    std::string value = base64_encode(record);
    sodium_memzero(record.data(), record.size());
    return value;
  }
  RV_ASSIGN(auto record, codec::seal_with_ad(kek->ref(d.generation), d.key.view(),
                                             dek_ad(header, d.generation)));
  return base64_encode(record);
}

result<dek> unwrap_dek(const std::string& value, std::string_view header, const unlock_key* kek,
                       const std::string& path) {
  const std::string name(header);
  std::string record;
  const wipe_on_exit wipe_record(record);  // unwrapped (autolock off), it is the DEK itself
  if (!base64_decode(value, record)) return corrupt(path, name + " is not valid base64");
  std::string raw;
  std::uint32_t generation = 0;
  if (kek == nullptr) {
    auto plain = codec::decode_plain_record(record);
    if (!plain) return corrupt(path, name + ": " + plain.error().message());
    raw = std::move(plain->data);
    generation = plain->key_id;
  } else {
    auto header_info = codec::inspect_record(record);
    if (!header_info) return corrupt(path, name + ": " + header_info.error().message());
    generation = header_info->key_id;
    auto opened = codec::open_with_ad({kek->ref(generation)}, record, dek_ad(header, generation),
                                      name);
    if (!opened) return corrupt(path, opened.error().message());
    raw = std::move(opened.value());
  }
  auto bytes = secret_bytes::copy_of(raw);
  sodium_memzero(raw.data(), raw.size());
  if (!bytes) return bytes.error();
  if (generation == 0) return corrupt(path, name + " has no DEK generation (key_id)");
  if (bytes->size() != codec::kKeyBytes) {
    return corrupt(path, name + " holds " + std::to_string(bytes->size()) + " bytes, expected " +
                             std::to_string(codec::kKeyBytes));
  }
  return dek{generation, std::move(bytes.value())};
}

struct parsed_file {
  std::vector<pem_block> blocks;
  const pem_block* state = nullptr;
  const pem_block* key = nullptr;
  bool locked = false;
  bool has_digest = false;
  ~parsed_file() {
    for (auto& b : blocks) {
      sodium_memzero(b.body.data(), b.body.size());
      // Header values hold the base64 DEKs (unwrapped when autolock is off).
      for (auto& h : b.headers) sodium_memzero(h.second.data(), h.second.size());
    }
  }
};

status parse_structure(std::string_view text, const std::string& path, parsed_file& out) {
  RV_TRY(check_digest(text, path, out.has_digest));
  RV_ASSIGN(out.blocks, parse_pem(text, "key file " + path));
  for (const auto& b : out.blocks) {
    const pem_block** slot = nullptr;
    if (b.type == kStateBlock) slot = &out.state;
    else if (b.type == kEncryptedKeyBlock || b.type == kPlainKeyBlock) slot = &out.key;
    else {
      return corrupt(path, "unknown PEM block \"" + b.type + "\" at line " +
                               std::to_string(b.first_line));
    }
    if (*slot != nullptr) {
      return corrupt(path, "more than one " + b.type + " block (line " +
                               std::to_string(b.first_line) + ")");
    }
    *slot = &b;
  }
  if (out.state == nullptr) return corrupt(path, "missing the RAFTVAULT KEY STATE block");
  if (out.key == nullptr) return corrupt(path, "missing the TLS private key block");
  if (!out.key->headers.empty()) return corrupt(path, "the TLS private key block has headers");
  for (const auto& h : out.state->headers) {
    if (h.first != kHeaderKekVersion && h.first != kHeaderDek && h.first != kHeaderDekPending &&
        h.first != kHeaderNeedsRotation && h.first != kHeaderKekCheck && h.first != kHeaderMac &&
        h.first != kHeaderDigest) {
      return corrupt(path, "unknown header \"" + h.first + "\" in the RAFTVAULT KEY STATE block");
    }
  }
  if (out.state->body != kStateBody) return corrupt(path, "unsupported key state version");
  if (out.state->header(kHeaderKekVersion) == nullptr) {
    return corrupt(path, "missing the kek-version header");
  }
  if (out.state->header(kHeaderDek) == nullptr) {
    if (out.state->header(kHeaderDekPending) != nullptr) {
      return corrupt(path, "raft-dek-pending without raft-dek (a pending DEK needs a current one)");
    }
    return corrupt(path, "missing the raft-dek header");
  }
  const bool has_mac = out.state->header(kHeaderMac) != nullptr;
  const bool has_check = out.state->header(kHeaderKekCheck) != nullptr;
  if (has_mac != has_check) return corrupt(path, "kek-check and kek-mac must appear together");
  out.locked = has_mac;
  if (out.locked != (out.key->type == kEncryptedKeyBlock)) {
    return corrupt(path, out.locked ? "a locked key file holds an unencrypted TLS key"
                                    : "an unlocked key file holds an encrypted TLS key");
  }
  return status::ok();
}

// Every value encode_key_file writes (any uint64_t) reads back; one past it does not.
result<std::uint64_t> parse_version(const std::string& v, const std::string& path) {
  std::uint64_t version = 0;
  const char* end = v.data() + v.size();
  const auto parsed = std::from_chars(v.data(), end, version);
  if (v.empty() || v.find_first_not_of("0123456789") != std::string::npos || parsed.ptr != end ||
      parsed.ec != std::errc()) {
    return corrupt(path, "kek-version \"" + v + "\" is not a decimal number below 2^64");
  }
  return version;
}

class wipe_headers_on_exit {
 public:
  explicit wipe_headers_on_exit(pem_headers& headers) : headers_(headers) {}
  ~wipe_headers_on_exit() {
    for (auto& h : headers_) sodium_memzero(h.second.data(), h.second.size());
  }
  wipe_headers_on_exit(const wipe_headers_on_exit&) = delete;
  wipe_headers_on_exit& operator=(const wipe_headers_on_exit&) = delete;

 private:
  pem_headers& headers_;
};

// The file's text: the state block with `headers` (plus kek-check and kek-mac when locked) and
// the TLS key block after it. The MAC covers the text as written, minus its own line and the
// digest line; the digest, first in the block, covers everything else.
std::string assemble_key_file(pem_headers& headers, std::string_view tls_key_block,
                              const unlock_key* kek) {
  if (kek != nullptr) headers.emplace_back(kHeaderKekCheck, base64_encode(key_check(*kek)));
  std::string state_block = encode_pem(kStateBlock, headers, kStateBody);
  const wipe_on_exit wipe_state_block(state_block);
  // Sized first: appending to state_block could free an outgrown copy of it, DEKs included.
  std::string text;
  text.reserve(state_block.size() + tls_key_block.size());
  text.append(state_block).append(tls_key_block);
  if (kek != nullptr) {
    headers.emplace_back(kHeaderMac, base64_encode(kek_hash(*kek, kMacSubkey, text)));
    auto state_end = text.find("-----END " + std::string(kStateBlock));
    state_end = text.find('\n', state_end) + 1;
    text = encode_pem(kStateBlock, headers, kStateBody) + text.substr(state_end);
  }
  return with_digest_line(text);
}

}  // namespace

result<key_file_contents> key_file_contents::clone() const {
  key_file_contents out;
  out.kek_version = kek_version;
  RV_ASSIGN(out.current, current.clone());
  if (pending) {
    RV_ASSIGN(auto p, pending->clone());
    out.pending = std::move(p);
  }
  out.needs_rotation = needs_rotation;
  RV_ASSIGN(out.tls_key, tls_key.clone());
  return out;
}

result<secret_bytes> encode_tls_key_block(const secret_bytes& tls_key, const unlock_key* kek) {
  if (kek == nullptr) {
    // Autolock off: the key is stored in the clear by the operator's choice, as SwarmKit does.
    return plain_pkcs8_pem(tls_key);
  }
  RV_ASSIGN(auto password, kek->text());
  RV_ASSIGN(auto encrypted, encrypted_pkcs8_pem(tls_key, password));
  return secret_bytes::copy_of(encrypted);
}

result<std::string> encode_key_file(const key_file_contents& contents, const unlock_key* kek,
                                    const secret_bytes* tls_key_block) {
  if (!codec::ensure_sodium()) return error(errc::io, "libsodium failed to initialise");
  pem_headers headers;
  // Wiped on every way out: unwrapped (autolock off) a DEK header's value is the DEK.
  const wipe_headers_on_exit wipe_headers(headers);
  headers.emplace_back(kHeaderKekVersion, std::to_string(contents.kek_version));
  // Moved, not copied: only the copies in `headers` are wiped.
  RV_ASSIGN(auto current, wrap_dek(contents.current, kHeaderDek, kek));
  headers.emplace_back(kHeaderDek, std::move(current));
  if (contents.pending) {
    RV_ASSIGN(auto pending, wrap_dek(*contents.pending, kHeaderDekPending, kek));
    headers.emplace_back(kHeaderDekPending, std::move(pending));
  }
  headers.emplace_back(kHeaderNeedsRotation, contents.needs_rotation ? "true" : "false");
  std::optional<secret_bytes> encoded;
  if (tls_key_block == nullptr) {
    RV_ASSIGN(encoded, encode_tls_key_block(contents.tls_key, kek));
    tls_key_block = &*encoded;
  }
  return assemble_key_file(headers, tls_key_block->view(), kek);
}

namespace testing {

result<std::string> dek_header_value(const dek& d, std::string_view header,
                                     const unlock_key* kek) {
  return wrap_dek(d, header, kek);
}

std::string key_file_text(pem_headers headers, std::string_view tls_key_block,
                          const unlock_key* kek) {
  const wipe_headers_on_exit wipe_headers(headers);
  return assemble_key_file(headers, tls_key_block, kek);
}

}  // namespace testing

result<key_file_summary> peek_key_file(std::string_view text, const std::string& path) {
  parsed_file parsed;
  RV_TRY(parse_structure(text, path, parsed));
  RV_ASSIGN(auto version, parse_version(*parsed.state->header(kHeaderKekVersion), path));
  return key_file_summary{parsed.locked, version, parsed.has_digest};
}

result<key_file_contents> decode_key_file(std::string_view text, const unlock_key* kek,
                                          const std::string& path) {
  if (!codec::ensure_sodium()) return error(errc::io, "libsodium failed to initialise");
  parsed_file parsed;
  RV_TRY(parse_structure(text, path, parsed));
  const pem_block& state = *parsed.state;
  if (!parsed.locked) {
    kek = nullptr;  // an unlocked file needs no key; one given is simply not used
  } else {
    if (kek == nullptr) {
      return error(errc::missing_key, "key file " + path + " is locked: an unlock key is required");
    }
    std::string check;
    if (!base64_decode(*state.header(kHeaderKekCheck), check) || check.size() != 32) {
      return corrupt(path, "kek-check is not 32 bytes of base64");
    }
    if (sodium_memcmp(check.data(), key_check(*kek).data(), 32) != 0) {
      return error(errc::wrong_key, "wrong unlock key for key file " + path);
    }
    std::string mac;
    if (!base64_decode(*state.header(kHeaderMac), mac) || mac.size() != 32 ||
        sodium_memcmp(mac.data(),
                      kek_hash(*kek, kMacSubkey, text, {kHeaderMac, kHeaderDigest}).data(),
                      32) != 0) {
      return corrupt(path, "MAC mismatch: the file was modified or damaged after it was written "
                           "(the unlock key itself is right)");
    }
  }
  key_file_contents out;
  RV_ASSIGN(out.kek_version, parse_version(*state.header(kHeaderKekVersion), path));
  if (const auto* f = state.header(kHeaderNeedsRotation)) {
    if (*f != "true" && *f != "false") {
      return corrupt(path, "raft-dek-needs-rotation \"" + *f + "\" is neither true nor false");
    }
    out.needs_rotation = *f == "true";
  }
  RV_ASSIGN(out.current, unwrap_dek(*state.header(kHeaderDek), kHeaderDek, kek, path));
  if (const auto* p = state.header(kHeaderDekPending)) {
    RV_ASSIGN(auto pending, unwrap_dek(*p, kHeaderDekPending, kek, path));
    if (pending.generation <= out.current.generation) {
      return corrupt(path, "pending DEK generation " + std::to_string(pending.generation) +
                               " is not newer than the current generation " +
                               std::to_string(out.current.generation));
    }
    out.pending = std::move(pending);
  }
  secret_bytes password;
  if (kek != nullptr) {
    RV_ASSIGN(password, kek->text());
  }
  auto tls = read_pkcs8_pem(parsed.key->text, password);
  if (!tls) return corrupt(path, tls.error().message());
  out.tls_key = std::move(tls.value());
  return out;
}

}  // namespace raftvault::keys
