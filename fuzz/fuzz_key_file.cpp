// keys/node.key text as found on disk: the strict PEM parser (keys/pem), peek_key_file, and
// decode_key_file without a key and with the test unlock key (its key check, MAC, header
// parsing, DEK records and the TLS key through OpenSSL). Seeds are real key files (locked and
// unlocked, with and without a pending DEK) written by encode_key_file; a mutated file stops at
// its MAC, so fuzz_key_file_sealed covers what lies behind it.
// Properties: every failure is one of decode_key_file's documented codes; a locked file asks for
// a key and an unlocked one does not; PEM blocks and decoded files survive re-encoding.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz/fuzz_support.h"
#include "keys/key_file.h"
#include "keys/pem.h"

using namespace raftvault;
using namespace raftvault::keys;

namespace {

void expect_same(const key_file_contents& a, const key_file_contents& b) {
  FUZZ_CHECK(a.kek_version == b.kek_version && a.needs_rotation == b.needs_rotation,
             "kek-version or needs-rotation changed");
  FUZZ_CHECK(a.current.generation == b.current.generation && a.current.key.equals(b.current.key),
             "the current DEK changed");
  FUZZ_CHECK(a.pending.has_value() == b.pending.has_value(), "the pending DEK came or went");
  if (a.pending) {
    FUZZ_CHECK(a.pending->generation == b.pending->generation &&
                   a.pending->key.equals(b.pending->key),
               "the pending DEK changed");
  }
  FUZZ_CHECK(a.tls_key.equals(b.tls_key), "the TLS key changed");
}

void pem_round_trip(std::string_view text) {
  auto blocks = parse_pem(text, "fuzz");
  if (!blocks) {
    FUZZ_CHECK(blocks.error().code() == errc::corruption, "PEM refused as " +
                                                              blocks.error().describe());
    return;
  }
  for (const auto& block : *blocks) {
    const std::string again = encode_pem(block.type, block.headers, block.body);
    auto reparsed = parse_pem(again, "fuzz");
    FUZZ_CHECK(reparsed && reparsed->size() == 1, "a parsed PEM block does not re-encode");
    const pem_block& back = reparsed->front();
    FUZZ_CHECK(back.type == block.type && back.headers == block.headers && back.body == block.body,
               "a PEM block changes when re-encoded");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const unlock_key& kek = fuzz::test_unlock_key();
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  pem_round_trip(text);

  const auto summary = peek_key_file(text, "fuzz.key");
  const auto without_key = decode_key_file(text, nullptr, "fuzz.key");
  const auto with_key = decode_key_file(text, &kek, "fuzz.key");
  for (const auto* decoded : {&without_key, &with_key}) {
    if (*decoded) continue;
    const errc code = decoded->error().code();
    FUZZ_CHECK(code == errc::corruption || code == errc::missing_key || code == errc::wrong_key,
               "key file refused as " + decoded->error().describe());
  }
  if (summary) {
    FUZZ_CHECK(summary->locked == (!without_key && without_key.error().code() == errc::missing_key),
               summary->locked ? "a locked file decodes without a key, or fails otherwise"
                               : "an unlocked file asks for a key");
  }
  if (with_key) {
    FUZZ_CHECK(summary.has_value() && summary->kek_version == with_key->kek_version,
               "peek refuses or misreads a file that decodes");
    FUZZ_CHECK(with_key->current.key.size() == codec::kKeyBytes && with_key->current.generation != 0,
               "a decoded current DEK is malformed");
    auto again = encode_key_file(*with_key, summary->locked ? &kek : nullptr);
    FUZZ_CHECK(again.has_value(), "a decoded key file does not re-encode");
    auto decoded_again = decode_key_file(*again, &kek, "again.key");
    FUZZ_CHECK(decoded_again.has_value(), "a re-encoded key file does not decode");
    expect_same(*with_key, *decoded_again);
  }
  return 0;
}
