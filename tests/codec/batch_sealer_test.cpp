// batch_sealer: one CSPRNG draw per batch, still one fresh random nonce per record, and records
// that open exactly like codec::seal's.
#include "codec/batch_sealer.h"

#include <catch2/catch.hpp>
#include <set>
#include <string>

#include "codec/proto/encryption.pb.h"

using namespace raftvault;
using namespace raftvault::codec;
using raftvault::encryption::MaybeEncryptedRecord;

namespace {

struct test_key {
  unsigned char bytes[kKeyBytes];
  key_ref ref(std::uint32_t generation) const { return key_ref{generation, bytes}; }
  test_key() {
    for (std::size_t i = 0; i < kKeyBytes; ++i) bytes[i] = static_cast<unsigned char>(0x33 + i);
  }
};

}  // namespace

TEST_CASE("batch_sealer records open at their place, and only there", "[cipher][batch]") {
  const test_key key;
  for (auto c : {cipher::secretbox, cipher::xchacha20poly1305}) {
    batch_sealer sealer(c, key.ref(5), 4);
    for (std::uint64_t index = 1; index <= 4; ++index) {
      const std::string plain = "payload of entry " + std::to_string(index);
      const auto place = entry_place(index, 2, 0);
      auto record = sealer.seal(plain, place);
      REQUIRE(record);
      auto opened = open({key.ref(5)}, *record, place, none_records::refuse);
      REQUIRE(opened);
      CHECK(*opened == plain);
      auto header = inspect_record(*record);
      REQUIRE(header);
      CHECK(header->key_id == (c == cipher::xchacha20poly1305 ? 5u : 0u));
      if (c == cipher::xchacha20poly1305) {
        auto elsewhere = open({key.ref(5)}, *record, entry_place(index + 1, 2, 0));
        REQUIRE_FALSE(elsewhere);
        CHECK(elsewhere.error().code() == errc::wrong_key);
      }
    }
  }
}

TEST_CASE("batch_sealer never repeats a nonce, also past the announced batch size",
          "[cipher][batch][nonce]") {
  const test_key key;
  std::set<std::string> nonces;
  // Announce 100 per batch but seal 1,000 in each of 10 sealers: every refill draws anew.
  for (int batch = 0; batch < 10; ++batch) {
    batch_sealer sealer(cipher::xchacha20poly1305, key.ref(1), 100);
    for (int i = 0; i < 1000; ++i) {
      auto record = sealer.seal("same payload", entry_place(1, 1, 0));
      REQUIRE(record);
      MaybeEncryptedRecord parsed;
      REQUIRE(parsed.ParseFromString(*record));
      REQUIRE(parsed.nonce().size() == kNonceBytes);
      nonces.insert(parsed.nonce());
    }
  }
  CHECK(nonces.size() == 10000u);
}

TEST_CASE("batch_sealer with cipher none writes NONE records, and refuses a null key otherwise",
          "[cipher][batch]") {
  batch_sealer plain(cipher::none, key_ref{0, nullptr}, 1);
  auto record = plain.seal("visible", entry_place(1, 1, 0));
  REQUIRE(record);
  CHECK(*record == encode_plain_record("visible"));

  batch_sealer keyless(cipher::xchacha20poly1305, key_ref{1, nullptr}, 1);
  auto refused = keyless.seal("secret", entry_place(1, 1, 0));
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code() == errc::invalid_argument);
  CHECK_THAT(refused.error().message(), Catch::Contains("no key"));
}
