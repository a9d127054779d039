// Behind the key file's MAC and its DEK records' authentication: random text never carries a
// valid MAC, so this target writes key files whose state headers come from fuzz bytes, sealed
// with the real code (keys/key_file_testing.h: the DEK wrapping and the MAC encode_key_file
// uses) under the test unlock key (or unlocked), and decodes them through decode_key_file.
// Two shapes of input:
//   well formed  the headers encode_key_file writes, in a fuzz-chosen order, with fuzz-chosen
//                kek-version, generations, DEK bytes and flags: the file must decode to exactly
//                these values, or be refused as corruption when the pending generation is not
//                newer than the current one;
//   hostile      any header names and values (wrapped DEKs of any size and generation, wrapped
//                under another header's name, base64 of any bytes, any text): the file must
//                decode or fail as corruption, and what decodes must be well formed.
#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz/fuzz_support.h"
#include "keys/key_file.h"
#include "keys/key_file_testing.h"
#include "keys/pem.h"
#include "keys/tls_key.h"

using namespace raftvault;
using namespace raftvault::keys;

namespace {

constexpr std::size_t kMaxHeaders = 8;

struct tls_material {
  secret_bytes der;
  secret_bytes plain_block;
  secret_bytes locked_block;
};

const tls_material& tls() {
  static const tls_material made = [] {
    auto der = generate_tls_key();
    FUZZ_CHECK(der.has_value(), "TLS key: " + der.error().describe());
    auto plain = encode_tls_key_block(*der, nullptr);
    auto locked = encode_tls_key_block(*der, &fuzz::test_unlock_key());
    FUZZ_CHECK(plain && locked, "TLS key blocks");
    return tls_material{std::move(der).value(), std::move(plain).value(),
                        std::move(locked).value()};
  }();
  return made;
}

dek fuzzed_dek(FuzzedDataProvider& in, std::uint32_t generation, std::size_t size) {
  auto bytes = secret_bytes::copy_of(in.ConsumeBytesAsString(size));
  FUZZ_CHECK(bytes.has_value(), "guarded memory");
  return dek{generation, std::move(bytes).value()};
}

std::string wrapped(const dek& d, std::string_view header, const unlock_key* kek) {
  auto value = testing::dek_header_value(d, header, kek);
  FUZZ_CHECK(value.has_value(), "wrap: " + value.error().describe());
  return std::move(value).value();
}

const std::string_view kNames[] = {kHeaderKekVersion, kHeaderDek,      kHeaderDekPending,
                                   kHeaderNeedsRotation, kHeaderKekCheck, kHeaderMac};

std::string hostile_value(FuzzedDataProvider& in, std::string_view name, const unlock_key* kek) {
  switch (in.ConsumeIntegralInRange(0, 4)) {
    case 0: {
      const auto generation = in.ConsumeIntegral<std::uint32_t>();
      const auto size = in.ConsumeIntegralInRange<std::size_t>(0, 48);
      const bool as_other = in.ConsumeBool();  // wrapped for another header's name
      const std::string_view wrap_as = as_other ? in.PickValueInArray(kNames) : name;
      return wrapped(fuzzed_dek(in, generation, size), wrap_as, in.ConsumeBool() ? kek : nullptr);
    }
    case 1: return base64_encode(in.ConsumeRandomLengthString(64));
    case 2: return std::to_string(in.ConsumeIntegral<std::uint64_t>());
    case 3: return in.ConsumeBool() ? "true" : "false";
    default: return in.ConsumeRandomLengthString(80);
  }
}

pem_headers hostile_headers(FuzzedDataProvider& in, const unlock_key* kek) {
  pem_headers headers(in.ConsumeIntegralInRange<std::size_t>(0, kMaxHeaders));
  for (auto& h : headers) {
    h.first = in.ConsumeBool() ? std::string(in.PickValueInArray(kNames))
                               : in.ConsumeRandomLengthString(24);
    h.second = hostile_value(in, h.first, kek);
  }
  return headers;
}

void expect_well_formed(const key_file_contents& got) {
  FUZZ_CHECK(got.current.generation != 0 && got.current.key.size() == codec::kKeyBytes,
             "a decoded current DEK is malformed");
  if (got.pending) {
    FUZZ_CHECK(got.pending->generation > got.current.generation &&
                   got.pending->key.size() == codec::kKeyBytes,
               "a decoded pending DEK is malformed");
  }
  FUZZ_CHECK(got.tls_key.equals(tls().der), "the TLS key changed");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider in(data, size);
  const bool locked = in.ConsumeBool();
  const unlock_key* kek = locked ? &fuzz::test_unlock_key() : nullptr;
  const std::string_view tls_block = locked ? tls().locked_block.view() : tls().plain_block.view();

  if (in.ConsumeBool()) {
    const auto headers = hostile_headers(in, kek);
    const std::string text = testing::key_file_text(headers, tls_block, kek);
    auto decoded = decode_key_file(text, kek, "fuzz.key");
    if (decoded) {
      expect_well_formed(*decoded);
    } else {
      FUZZ_CHECK(decoded.error().code() == errc::corruption,
                 "a sealed key file refused as " + decoded.error().describe());
    }
    return 0;
  }

  const auto kek_version = in.ConsumeIntegral<std::uint64_t>();
  const auto current_generation = in.ConsumeIntegralInRange<std::uint32_t>(1, UINT32_MAX);
  const bool has_pending = in.ConsumeBool();
  const auto pending_generation = in.ConsumeIntegralInRange<std::uint32_t>(1, UINT32_MAX);
  const bool needs_rotation = in.ConsumeBool();
  const dek current = fuzzed_dek(in, current_generation, codec::kKeyBytes);
  const dek pending = fuzzed_dek(in, pending_generation, codec::kKeyBytes);
  if (current.key.size() != codec::kKeyBytes || pending.key.size() != codec::kKeyBytes) return 0;

  pem_headers headers{{std::string(kHeaderKekVersion), std::to_string(kek_version)},
                      {std::string(kHeaderDek), wrapped(current, kHeaderDek, kek)},
                      {std::string(kHeaderNeedsRotation), needs_rotation ? "true" : "false"}};
  if (has_pending) {
    headers.emplace_back(kHeaderDekPending, wrapped(pending, kHeaderDekPending, kek));
  }
  // Order is not part of the format: any permutation the fuzz bytes pick.
  for (std::size_t i = headers.size(); i > 1; --i) {
    std::swap(headers[i - 1], headers[in.ConsumeIntegralInRange<std::size_t>(0, i - 1)]);
  }
  const std::string text = testing::key_file_text(headers, tls_block, kek);
  auto decoded = decode_key_file(text, kek, "fuzz.key");
  if (has_pending && pending_generation <= current_generation) {
    FUZZ_CHECK(!decoded && decoded.error().code() == errc::corruption,
               "a pending DEK that is not newer was accepted");
    return 0;
  }
  FUZZ_CHECK(decoded.has_value(), "a well-formed key file is refused: " +
                                      (decoded ? std::string() : decoded.error().describe()));
  FUZZ_CHECK(decoded->kek_version == kek_version && decoded->needs_rotation == needs_rotation,
             "kek-version or needs-rotation read back differently");
  FUZZ_CHECK(decoded->current.generation == current_generation &&
                 decoded->current.key.equals(current.key),
             "the current DEK read back differently");
  FUZZ_CHECK(decoded->pending.has_value() == has_pending, "the pending DEK came or went");
  if (has_pending) {
    FUZZ_CHECK(decoded->pending->generation == pending_generation &&
                   decoded->pending->key.equals(pending.key),
               "the pending DEK read back differently");
  }
  expect_well_formed(*decoded);
  return 0;
}
