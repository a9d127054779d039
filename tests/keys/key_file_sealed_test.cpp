// The checks that sit behind a locked key file's MAC and its DEK records' authentication,
// reached with header values sealed by the real code (keys/key_file_testing.h): each damaged
// value is refused as corruption with its own message, not as a MAC mismatch.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "keys/key_file.h"
#include "keys/key_file_testing.h"
#include "keys/tls_key.h"

using namespace raftvault;
using namespace raftvault::keys;

namespace {

dek make_dek(std::uint32_t generation, std::size_t size) {
  auto bytes = secret_bytes::random(size);
  REQUIRE(bytes);
  return dek{generation, std::move(bytes.value())};
}

}  // namespace

TEST_CASE("a locked key file's header values are checked behind its MAC", "[keys]") {
  auto kek = unlock_key::generate();
  REQUIRE(kek);
  auto tls = generate_tls_key();
  REQUIRE(tls);
  auto tls_block = encode_tls_key_block(*tls, &*kek);
  REQUIRE(tls_block);
  const auto wrap = [&](const dek& d, std::string_view header) {
    auto value = testing::dek_header_value(d, header, &*kek);
    REQUIRE(value);
    return value.value();
  };
  const std::string dek1 = wrap(make_dek(1, 32), kHeaderDek);
  const std::string version(kHeaderKekVersion);
  const std::string current(kHeaderDek);
  const std::string pending(kHeaderDekPending);
  const std::string flag(kHeaderNeedsRotation);
  struct bad_case {
    const char* name;
    pem_headers headers;
    std::string message;  // after "key file node.key: "
  };
  const std::vector<bad_case> cases{
      {"kek-version not a number", {{version, "3a"}, {current, dek1}},
       "kek-version \"3a\" is not a decimal number below 2^64"},
      {"needs-rotation neither true nor false", {{version, "1"}, {current, dek1}, {flag, "yes"}},
       "raft-dek-needs-rotation \"yes\" is neither true nor false"},
      {"a DEK of 16 bytes", {{version, "1"}, {current, wrap(make_dek(1, 16), kHeaderDek)}},
       "raft-dek holds 16 bytes, expected 32"},
      {"a DEK without a generation", {{version, "1"}, {current, wrap(make_dek(0, 32), kHeaderDek)}},
       "raft-dek has no DEK generation (key_id)"},
      {"a DEK wrapped for the pending header", {{version, "1"}, {current, wrap(make_dek(1, 32), kHeaderDekPending)}},
       "authentication failed for raft-dek with key generation 1: wrong key or tampered record"},
      {"a pending DEK that is not newer",
       {{version, "1"}, {current, dek1}, {pending, wrap(make_dek(1, 32), kHeaderDekPending)}},
       "pending DEK generation 1 is not newer than the current generation 1"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.name);
    const std::string text = testing::key_file_text(c.headers, tls_block->view(), &*kek);
    auto decoded = decode_key_file(text, &*kek, "node.key");
    REQUIRE_FALSE(decoded.has_value());
    CHECK(decoded.error().code() == errc::corruption);
    CHECK(decoded.error().message() == "key file node.key: " + c.message);
  }
  // The same headers, well formed, decode: what is refused above is the value alone.
  const std::string text = testing::key_file_text(
      {{version, "7"}, {current, dek1}, {flag, "true"}}, tls_block->view(), &*kek);
  auto decoded = decode_key_file(text, &*kek, "node.key");
  INFO((decoded ? std::string() : decoded.error().describe()));
  REQUIRE(decoded.has_value());
  CHECK(decoded->kek_version == 7u);
  CHECK(decoded->current.generation == 1u);
  CHECK(decoded->needs_rotation);
  CHECK(decoded->tls_key.equals(*tls));
}
