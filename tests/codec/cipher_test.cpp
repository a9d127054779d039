// Payload ciphers: round trips, typed failures, nonce uniqueness, and the hand-written record
// encoding against the protobuf library.
#include "codec/cipher.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "codec/cipher_testing.h"
#include "codec/proto/encryption.pb.h"
#include "support/test_support.h"

using namespace raftvault;
using namespace raftvault::codec;
using raftvault::encryption::MaybeEncryptedRecord;

namespace {

struct test_key {
  unsigned char bytes[kKeyBytes];
  std::uint32_t generation;
  explicit test_key(std::uint32_t gen, unsigned char seed) : generation(gen) {
    for (std::size_t i = 0; i < kKeyBytes; ++i) bytes[i] = static_cast<unsigned char>(seed + i);
  }
  key_ref ref() const { return key_ref{generation, bytes}; }
};

const test_key key1(1, 0x10);
const test_key key2(2, 0x50);
const test_key key3(3, 0x90);

std::string payload(std::size_t n) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + i % 26);
  return s;
}

const record_place kPlace = entry_place(42, 3, 0);

std::string must_seal(cipher c, const test_key& k, const std::string& plain,
                      const record_place& place = kPlace) {
  auto sealed = seal(c, k.ref(), plain, place);
  REQUIRE(sealed.has_value());
  return sealed.value();
}

}  // namespace

TEST_CASE("cipher names parse and print", "[cipher]") {
  for (auto c : {cipher::none, cipher::secretbox, cipher::xchacha20poly1305}) {
    auto parsed = parse_cipher(to_string(c));
    REQUIRE(parsed.has_value());
    CHECK(parsed.value() == c);
  }
  auto bad = parse_cipher("aes");
  REQUIRE_FALSE(bad.has_value());
  CHECK(bad.error().code() == errc::invalid_argument);
  CHECK(bad.error().message() ==
        "unknown cipher \"aes\" (expected none, secretbox or xchacha20poly1305)");
}

TEST_CASE("every cipher round-trips payloads of many sizes", "[cipher]") {
  const std::vector<key_ref> keys{key1.ref(), key2.ref()};
  for (auto c : {cipher::none, cipher::secretbox, cipher::xchacha20poly1305}) {
    for (std::size_t n : {0, 1, 15, 16, 17, 127, 128, 4096, 102400}) {
      CAPTURE(to_string(c), n);
      const auto plain = payload(n);
      const auto sealed = must_seal(c, key2, plain);
      auto header = inspect_record(sealed);
      REQUIRE(header.has_value());
      CHECK(header->algorithm == static_cast<std::uint32_t>(c));
      CHECK(header->key_id == (c == cipher::xchacha20poly1305 ? 2u : 0u));
      CHECK(header->nonce_size == (c == cipher::none ? 0u : kNonceBytes));
      CHECK(header->data_size == (c == cipher::none ? n : n + kTagBytes));
      auto opened = open(keys, sealed, kPlace);
      REQUIRE(opened.has_value());
      CHECK(opened.value() == plain);
    }
  }
}

TEST_CASE("records are byte-identical to the protobuf library's encoding", "[cipher]") {
  for (auto c : {cipher::none, cipher::secretbox, cipher::xchacha20poly1305}) {
    for (std::uint32_t gen : {0u, 1u, 127u, 128u, 300u, 0xffffffffu}) {
      for (std::size_t n : {0, 1, 111, 112, 127, 128, 16383, 16384, 70000}) {
        CAPTURE(to_string(c), gen, n);
        test_key k(gen, 7);
        const auto sealed = must_seal(c, k, payload(n));
        MaybeEncryptedRecord rec;
        REQUIRE(rec.ParseFromString(sealed));
        CHECK(rec.SerializeAsString() == sealed);
        CHECK(static_cast<int>(rec.algorithm()) == static_cast<int>(c));
        CHECK(rec.key_id() == (c == cipher::xchacha20poly1305 ? gen : 0u));
        CHECK(rec.nonce().size() == (c == cipher::none ? 0u : kNonceBytes));
      }
    }
  }
}

TEST_CASE("secretbox records have SwarmKit's exact layout", "[cipher]") {
  unsigned char nonce[kNonceBytes];
  for (std::size_t i = 0; i < kNonceBytes; ++i) nonce[i] = static_cast<unsigned char>(0xa0 + i);
  const auto sealed = codec::testing::seal_with_nonce(cipher::secretbox, key1.ref(), "hello", kPlace, nonce);
  REQUIRE(sealed.has_value());
  const std::string& r = sealed.value();
  // 08 01 12 <len=21> <ct> 1a 18 <nonce>: no key_id even though the key has a generation.
  REQUIRE(r.size() == 2 + 2 + 21 + 2 + 24);
  CHECK(raftvault::testing::hex(r.substr(0, 4)) == "08011215");
  CHECK(raftvault::testing::hex(r.substr(25, 2)) == "1a18");
  CHECK(r.substr(27) == std::string(reinterpret_cast<const char*>(nonce), kNonceBytes));
  // The none form is SwarmKit's NotEncrypted record: only the data field.
  CHECK(raftvault::testing::hex(encode_plain_record("hi")) == "12026869");
  CHECK(encode_plain_record("").empty());
}

TEST_CASE("the parser agrees with protobuf on reordered, repeated and unknown fields", "[cipher]") {
  MaybeEncryptedRecord rec;
  rec.set_algorithm(MaybeEncryptedRecord::XCHACHA20_POLY1305);
  rec.set_data("ciphertext-bytes-here");
  rec.set_nonce(std::string(24, 'n'));
  rec.set_key_id(9);
  // Unknown fields of every wire type, and a key_id written first then overridden.
  std::string bytes = raftvault::testing::unhex("2005");  // key_id 5 (overridden below)
  bytes += raftvault::testing::unhex("2a03616263");          // field 5, length-delimited
  bytes += raftvault::testing::unhex("3101020304050607 08");  // field 6, fixed64
  bytes += raftvault::testing::unhex("3d01020304");            // field 7, fixed32
  bytes += rec.SerializeAsString();
  MaybeEncryptedRecord check;
  REQUIRE(check.ParseFromString(bytes));
  auto header = inspect_record(bytes);
  REQUIRE(header.has_value());
  CHECK(header->algorithm == 3u);
  CHECK(header->key_id == check.key_id());
  CHECK(header->key_id == 9u);
  CHECK(header->data_size == check.data().size());
  CHECK(header->nonce_size == 24u);
}

TEST_CASE("sealing the same payload 10,000 times never repeats a nonce", "[cipher][nonce]") {
  for (auto c : {cipher::secretbox, cipher::xchacha20poly1305}) {
    std::set<std::string> nonces;
    const std::string plain = payload(64);
    for (int i = 0; i < 10000; ++i) {
      MaybeEncryptedRecord rec;
      REQUIRE(rec.ParseFromString(must_seal(c, key1, plain)));
      REQUIRE(rec.nonce().size() == kNonceBytes);
      nonces.insert(rec.nonce());
    }
    CHECK(nonces.size() == 10000u);
  }
}

namespace {
struct failure_case {
  const char* name;
  cipher c;
  std::function<std::string(std::string)> damage;  // applied to a sealed record
  std::vector<key_ref> keys;
  record_place place;
  errc code;
  std::string message;
};
}  // namespace

TEST_CASE("damaged records, wrong and missing keys fail with typed errors", "[cipher]") {
  const std::string plain = payload(100);
  auto same = [](std::string r) { return r; };
  auto flip_ct = [](std::string r) {
    r[10] = static_cast<char>(r[10] ^ 0x01);  // inside the data field
    return r;
  };
  auto truncate = [](std::string r) { return r.substr(0, r.size() - 30); };
  auto cut_to_3 = [](std::string r) { return r.substr(0, 3); };  // tag, no length
  const auto x = cipher::xchacha20poly1305;
  const auto s = cipher::secretbox;
  const std::vector<failure_case> cases{
      {"xchacha wrong key", x,
       [](std::string r) {  // strip key_id so every key is tried
         return r.substr(0, r.size() - 2);
       },
       {key1.ref(), key3.ref()}, kPlace, errc::wrong_key,
       "authentication failed for entry index 42 term 3 with every held key (generations 1, 3): "
       "wrong key or tampered record"},
      {"secretbox wrong key", s, same, {key1.ref(), key3.ref()}, kPlace, errc::wrong_key,
       "authentication failed for entry index 42 term 3 with every held key (generations 1, 3): "
       "wrong key or tampered record"},
      {"xchacha missing key id", x, same, {key1.ref(), key3.ref()}, kPlace, errc::missing_key,
       "entry index 42 term 3 was sealed with key generation 2, which is not held (held "
       "generations: 1, 3)"},
      {"secretbox with no keys", s, same, {}, kPlace, errc::missing_key,
       "no key held to open entry index 42 term 3"},
      {"xchacha flipped ciphertext byte", x, flip_ct, {key2.ref()}, kPlace, errc::wrong_key,
       "authentication failed for entry index 42 term 3 with key generation 2: wrong key or "
       "tampered record"},
      {"secretbox flipped ciphertext byte", s, flip_ct, {key2.ref()}, kPlace, errc::wrong_key,
       "authentication failed for entry index 42 term 3 with every held key (generations 2): "
       "wrong key or tampered record"},
      {"xchacha truncated record", x, truncate, {key2.ref()}, kPlace, errc::corruption,
       "entry index 42 term 3: malformed encrypted record at byte 2: field 2 length 116 runs "
       "past the end (118 bytes)"},
      {"secretbox cut after the data tag", s, cut_to_3, {key2.ref()}, kPlace, errc::corruption,
       "entry index 42 term 3: malformed encrypted record at byte 2: truncated length"},
      {"short nonce", s,
       [](std::string r) {
         r[r.size() - 25] = 0x17;  // nonce length 24 -> 23, and drop its last byte
         return r.substr(0, r.size() - 1);
       },
       {key2.ref()}, kPlace, errc::corruption,
       "entry index 42 term 3: nonce is 23 bytes, expected 24"},
      {"ciphertext shorter than a tag", x,
       [](std::string) {
         return raftvault::testing::unhex("0803120401020304") + "\x1a\x18" + std::string(24, 'n');
       },
       {key2.ref()}, kPlace, errc::corruption,
       "entry index 42 term 3: ciphertext is 4 bytes, shorter than the 16-byte authentication tag"},
      {"xchacha at another index", x, same, {key2.ref()}, entry_place(43, 3, 0), errc::wrong_key,
       "authentication failed for entry index 43 term 3 with key generation 2: wrong key or "
       "tampered record"},
      {"xchacha at another term", x, same, {key2.ref()}, entry_place(42, 4, 0), errc::wrong_key,
       "authentication failed for entry index 42 term 4 with key generation 2: wrong key or "
       "tampered record"},
      {"xchacha with another entry type", x, same, {key2.ref()}, entry_place(42, 3, 1),
       errc::wrong_key,
       "authentication failed for entry index 42 term 3 with key generation 2: wrong key or "
       "tampered record"},
      {"xchacha moved into a snapshot", x, same, {key2.ref()}, snapshot_place(42, 3),
       errc::wrong_key,
       "authentication failed for snapshot index 42 term 3 with key generation 2: wrong key or "
       "tampered record"},
      {"fernet refused", s,
       [](std::string r) {
         r[1] = 0x02;
         return r;
       },
       {key2.ref()}, kPlace, errc::unsupported_algorithm,
       "unsupported algorithm FERNET_AES_128_CBC in entry index 42 term 3"},
      {"unknown algorithm refused", s,
       [](std::string r) {
         r[1] = 0x07;
         return r;
       },
       {key2.ref()}, kPlace, errc::unsupported_algorithm,
       "unsupported algorithm 7 in entry index 42 term 3"},
  };
  for (const auto& tc : cases) {
    CAPTURE(tc.name);
    const auto record = tc.damage(must_seal(tc.c, key2, plain));
    auto opened = open(tc.keys, record, tc.place);
    REQUIRE_FALSE(opened.has_value());
    CHECK(opened.error().code() == tc.code);
    CHECK(opened.error().message() == tc.message);
  }
}

TEST_CASE("secretbox has no associated data: a record moved elsewhere still opens", "[cipher]") {
  // SwarmKit's weakness, kept for compatibility: nothing binds a secretbox record to its entry,
  // so swapping two entries' payloads is undetectable. XChaCha20 (the default) refuses it above.
  const auto sealed = must_seal(cipher::secretbox, key1, "payload of entry 42");
  for (const auto& place : {entry_place(43, 3, 0), entry_place(42, 9, 1), snapshot_place(42, 3)}) {
    auto opened = open({key1.ref()}, sealed, place);
    REQUIRE(opened.has_value());
    CHECK(opened.value() == "payload of entry 42");
  }
}

TEST_CASE("a key set picks by key_id and tries every key for secretbox", "[cipher]") {
  const std::vector<key_ref> keys{key1.ref(), key2.ref(), key3.ref()};
  for (const auto* k : {&key1, &key2, &key3}) {
    for (auto c : {cipher::secretbox, cipher::xchacha20poly1305}) {
      auto opened = open(keys, must_seal(c, *k, "x"), kPlace);
      REQUIRE(opened.has_value());
      CHECK(opened.value() == "x");
    }
  }
}

TEST_CASE("NONE records can be refused by an encrypted store", "[cipher]") {
  const auto plain_record = must_seal(cipher::none, key1, "not secret");
  auto accepted = open({key1.ref()}, plain_record, kPlace);
  REQUIRE(accepted.has_value());
  CHECK(accepted.value() == "not secret");
  auto refused = open({key1.ref()}, plain_record, kPlace, none_records::refuse);
  REQUIRE_FALSE(refused.has_value());
  CHECK(refused.error().code() == errc::corruption);
  CHECK(refused.error().message() ==
        "entry index 42 term 3: record is not encrypted (algorithm NONE) where an encrypted "
        "record is required");
}

TEST_CASE("records with caller-chosen associated data", "[cipher]") {
  auto sealed = seal_with_ad(key2.ref(), "dek bytes", "raftvault/v1 key-file raft-dek");
  REQUIRE(sealed.has_value());
  auto ok = open_with_ad({key2.ref()}, sealed.value(), "raftvault/v1 key-file raft-dek", "raft-dek");
  REQUIRE(ok.has_value());
  CHECK(ok.value() == "dek bytes");
  auto swapped =
      open_with_ad({key2.ref()}, sealed.value(), "raftvault/v1 key-file raft-dek-pending",
                   "raft-dek-pending");
  REQUIRE_FALSE(swapped.has_value());
  CHECK(swapped.error().code() == errc::wrong_key);
  CHECK(swapped.error().message() ==
        "authentication failed for raft-dek-pending with key generation 2: wrong key or tampered "
        "record");
}

TEST_CASE("a null key is refused, not dereferenced", "[cipher]") {
  auto sealed = seal(cipher::xchacha20poly1305, key_ref{1, nullptr}, "x", kPlace);
  REQUIRE_FALSE(sealed.has_value());
  CHECK(sealed.error().code() == errc::invalid_argument);
  CHECK(sealed.error().message() == "seal with xchacha20poly1305: no key");
}

TEST_CASE("place associated data has the documented layout", "[cipher]") {
  unsigned char ad[kPlaceAssociatedDataSize];
  encode_place_associated_data(entry_place(0x0102030405060708ull, 0x1112131415161718ull, 0x21222324u), ad);
  CHECK(raftvault::testing::hex(std::string(reinterpret_cast<char*>(ad), sizeof ad)) ==
        raftvault::testing::hex("raftvault/v1") + "01" + "0102030405060708" +
            "1112131415161718" + "21222324");
  CHECK(to_string(snapshot_place(20, 2)) == "snapshot index 20 term 2");
}

// Not run by default (timing is no assertion on a shared machine): `test_codec "[.perf]"`.
TEST_CASE("sealing throughput for 4 KiB payloads", "[.perf]") {
  const std::string plain = payload(4096);
  for (auto c : {cipher::xchacha20poly1305, cipher::secretbox}) {
    const int rounds = 100000;
    const auto start = std::chrono::steady_clock::now();
    std::size_t bytes = 0;
    for (int i = 0; i < rounds; ++i) bytes += must_seal(c, key1, plain).size();
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    WARN(std::string(to_string(c)) + ": " +
         std::to_string(4096.0 * rounds / took.count() / 1e9) + " GB/s (" +
         std::to_string(bytes) + " bytes)");
  }
}

TEST_CASE("NONE records can carry a key_id and are decoded as plain records", "[cipher]") {
  const auto record = encode_plain_record("dek-bytes", 7);
  MaybeEncryptedRecord rec;
  REQUIRE(rec.ParseFromString(record));
  CHECK(rec.SerializeAsString() == record);
  CHECK(rec.key_id() == 7u);
  auto plain = decode_plain_record(record);
  REQUIRE(plain.has_value());
  CHECK(plain->data == "dek-bytes");
  CHECK(plain->key_id == 7u);
  auto sealed = decode_plain_record(must_seal(cipher::secretbox, key1, "x"));
  REQUIRE_FALSE(sealed.has_value());
  CHECK(sealed.error().code() == errc::corruption);
  CHECK(sealed.error().message() ==
        "expected an unencrypted (NONE) record, found algorithm SECRETBOX_SALSA20_POLY1305");
}
