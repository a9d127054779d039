// Golden vectors written by etcd 3.4 + SwarmKit-style secretbox (shared/vectors/etcd-3.4):
// reproduce the encrypted records byte for byte with the MANIFEST's nonce rule and open them.
#include <catch2/catch.hpp>
#include <string>

#include "codec/cipher.h"
#include "codec/cipher_testing.h"
#include "codec/proto/raftpb.pb.h"
#include "codec/proto/snappb.pb.h"
#include "support/json_lite.h"
#include "support/test_support.h"

using namespace raftvault;
using namespace raftvault::codec;
namespace rt = raftvault::testing;
namespace json = raftvault::testing::json;

namespace {

const json::value& expected() {
  static const json::value doc = json::parse(rt::read_bytes(rt::etcd_vectors("expected.json")));
  return doc;
}

struct golden_key {
  unsigned char bytes[kKeyBytes];
  golden_key() {
    const auto raw = rt::unhex(expected()["secretbox_key_hex"].as_string());
    REQUIRE(raw.size() == kKeyBytes);
    for (std::size_t i = 0; i < kKeyBytes; ++i) {
      bytes[i] = static_cast<unsigned char>(raw[i]);
      REQUIRE(bytes[i] == i);  // the MANIFEST's key: bytes 0x00..0x1f
    }
  }
  key_ref ref() const { return key_ref{0, bytes}; }
};

void put_be64(std::string& out, std::uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out += static_cast<char>(v >> shift);
}

// nonce(24) = uint64_be(index) || uint64_be(term) || tag(8)
std::string nonce_rule(std::uint64_t index, std::uint64_t term, const char* tag) {
  std::string n;
  put_be64(n, index);
  put_be64(n, term);
  n += tag;
  return n;
}

// The MANIFEST's plaintext rules for entry data.
std::string entry_plaintext(const json::value& e) {
  const auto index = e["index"].as_uint();
  const auto term = e["term"].as_uint();
  const auto& rule = e["data_rule"].as_string();
  if (rule == "confchange") return rt::unhex(e["data_hex"].as_string());
  if (rule == "empty") {
    REQUIRE(index % 10 == 0);
    return {};
  }
  REQUIRE(rule == "cyclic");
  const std::size_t len = (index == 55 || index == 114) ? 102400 : (index * 7919 % 3001) + 1;
  const std::string pattern = "entry-" + std::to_string(index) + "-t" + std::to_string(term) + ";";
  std::string out;
  while (out.size() < len) out += pattern;
  out.resize(len);
  return out;
}

result<std::string> seal_golden(const std::string& plain, const std::string& nonce,
                                const record_place& place, key_ref key) {
  REQUIRE(nonce.size() == kNonceBytes);
  unsigned char n[kNonceBytes];
  for (std::size_t i = 0; i < kNonceBytes; ++i) n[i] = static_cast<unsigned char>(nonce[i]);
  return codec::testing::seal_with_nonce(cipher::secretbox, key, plain, place, n);
}

}  // namespace

TEST_CASE("json_lite reads every JSON form", "[json]") {
  const auto v = json::parse(
      R"( {"a": [1, -2.5e3, true, false, null], "s": "x\"\\\/\n\u00e9\ud83d\ude00",)"
      R"( "big": 18446744073709551615, "o": {}, "e": []} )");
  CHECK(v["a"].size() == 5u);
  CHECK(v["a"][0].as_int() == 1);
  CHECK(v["a"][1].as_double() == -2500.0);
  CHECK(v["a"][2].as_bool());
  CHECK_FALSE(v["a"][3].as_bool());
  CHECK(v["a"][4].is_null());
  CHECK(v["s"].as_string() == "x\"\\/\n\xc3\xa9\xf0\x9f\x98\x80");
  CHECK(v["big"].as_uint() == 18446744073709551615ull);
  CHECK(v["o"].size() == 0u);
  CHECK(v["e"].size() == 0u);
  CHECK_FALSE(v.contains("missing"));
  CHECK_THROWS_WITH(json::parse("{\"a\": }"), "json: unexpected character '}' at byte 6");
  CHECK_THROWS_WITH(json::parse("[1, 2"), "json: expected ',' or ']' at byte 5");
  CHECK_THROWS_WITH(json::parse("\"abc"), "json: unterminated string at byte 4");
  CHECK_THROWS_WITH(v["missing"], "json: no member \"missing\"");
}

TEST_CASE("secretbox vector records are reproduced byte for byte and open", "[cipher][vectors]") {
  const golden_key key;
  const auto& entries = expected()["entries"].as_array();
  REQUIRE(entries.size() == 124u);
  std::size_t with_hex = 0;
  for (const auto& e : entries) {
    const auto index = e["index"].as_uint();
    const auto term = e["term"].as_uint();
    CAPTURE(index, term);
    const auto plain = entry_plaintext(e);
    REQUIRE(plain.size() == e["data_len"].as_uint());
    REQUIRE(rt::sha256_hex(plain) == e["data_sha256"].as_string());
    const auto& sb = e["secretbox"];
    const auto nonce = rt::unhex(sb["nonce_hex"].as_string());
    REQUIRE(nonce == nonce_rule(index, term, "WALENTRY"));
    const auto place = entry_place(index, term, static_cast<std::uint32_t>(e["type"].as_uint()));
    auto sealed = seal_golden(plain, nonce, place, key.ref());
    REQUIRE(sealed.has_value());
    CHECK(sealed->size() == sb["record_len"].as_uint());
    CHECK(rt::sha256_hex(sealed.value()) == sb["record_sha256"].as_string());
    if (sb.contains("record_hex")) {
      ++with_hex;
      CHECK(rt::hex(sealed.value()) == sb["record_hex"].as_string());
      auto opened = open({key.ref()}, rt::unhex(sb["record_hex"].as_string()), place);
      REQUIRE(opened.has_value());
      CHECK(opened.value() == plain);
    }
  }
  CHECK(with_hex >= 10u);  // the empty entries, the conf changes and the short ones
}

TEST_CASE("the secretbox vector snapshot record is reproduced byte for byte", "[cipher][vectors]") {
  const golden_key key;
  const auto& snap = expected()["snapshot"];
  const std::string name = snap["file"].as_string();
  snappb::Snapshot plain_file;
  REQUIRE(plain_file.ParseFromString(rt::read_bytes(rt::etcd_vectors("plain-snap/" + name))));
  // What is sealed is raftpb.Snapshot.Data (the application's state), not the whole
  // raftpb.Snapshot: its metadata stays readable, as for entries (docs/encryption.md).
  raftpb::Snapshot plain_snapshot;
  REQUIRE(plain_snapshot.ParseFromString(plain_file.data()));
  const std::string& plain = plain_snapshot.data();
  REQUIRE(plain.size() == snap["plain_len"].as_uint());
  REQUIRE(rt::sha256_hex(plain) == snap["plain_sha256"].as_string());
  const auto index = snap["index"].as_uint();
  const auto term = snap["term"].as_uint();
  const auto nonce = rt::unhex(snap["secretbox_nonce_hex"].as_string());
  REQUIRE(nonce == nonce_rule(index, term, "SNAPSHOT"));
  const auto place = snapshot_place(index, term);
  auto sealed = seal_golden(plain, nonce, place, key.ref());
  REQUIRE(sealed.has_value());
  CHECK(sealed->size() == snap["secretbox_record_len"].as_uint());
  CHECK(rt::sha256_hex(sealed.value()) == snap["secretbox_record_sha256"].as_string());
  // The secretbox dataset's .snap file carries exactly this record as raftpb.Snapshot.Data.
  snappb::Snapshot encrypted_file;
  REQUIRE(encrypted_file.ParseFromString(rt::read_bytes(rt::etcd_vectors("secretbox-snap/" + name))));
  raftpb::Snapshot encrypted_snapshot;
  REQUIRE(encrypted_snapshot.ParseFromString(encrypted_file.data()));
  CHECK(encrypted_snapshot.data() == sealed.value());
  auto opened = open({key.ref()}, encrypted_snapshot.data(), place);
  REQUIRE(opened.has_value());
  CHECK(opened.value() == plain);
}
