// key_store keeps the TLS key's encoded PEM block between key-file writes: a DEK rotation
// persists the key file three times and changes neither the TLS key nor the KEK, while
// encoding the block costs OpenSSL's PKCS#8 decoder and encoder each time.
#include "keys/key_store.h"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <string>

#include "support/test_support.h"

using namespace raftvault;
using namespace raftvault::keys;
namespace rt = raftvault::testing;

namespace {

std::string keys_dir(const rt::temp_dir& d) { return d / "keys"; }

// The TLS key's PEM block of node.key as it is on disk.
std::string tls_block_on_disk(const std::string& dir) {
  const std::string text = rt::read_bytes(dir + "/node.key");
  const auto begin = text.find("-----BEGIN", text.find("-----END"));
  REQUIRE(begin != std::string::npos);
  return text.substr(begin);
}

}  // namespace

TEST_CASE("DEK rotations reuse the encoded TLS key - a new KEK or TLS key encodes it again",
          "[keys]") {
  // An encrypted PKCS#8 block has a random salt, so an identical block is the reused one.
  rt::temp_dir d;
  auto store = key_store::create(keys_dir(d), {true, {}, {}});
  REQUIRE(store.has_value());
  const auto der = std::string(store->tls_key_der().view());
  REQUIRE(store->request_rotation());
  const auto first = tls_block_on_disk(keys_dir(d));
  CHECK(first.find("ENCRYPTED PRIVATE KEY") != std::string::npos);
  REQUIRE(store->prepare_rotation());
  CHECK(tls_block_on_disk(keys_dir(d)) == first);
  REQUIRE(store->complete_rotation());
  CHECK(tls_block_on_disk(keys_dir(d)) == first);

  auto new_kek = store->rotate_kek();
  REQUIRE(new_kek.has_value());
  const auto second = tls_block_on_disk(keys_dir(d));
  CHECK(second != first);
  REQUIRE(store->request_rotation());
  CHECK(tls_block_on_disk(keys_dir(d)) == second);

  // Every state written reopens with the KEK in force and holds the same TLS key.
  store = error(errc::closed, "released");
  auto reopened = key_store::open(keys_dir(d), &*new_kek);
  REQUIRE(reopened.has_value());
  CHECK(std::string(reopened->tls_key_der().view()) == der);
  CHECK(reopened->status().state == rotation_state::requested);

  // A new TLS key is encoded afresh, and later rotations keep that one.
  const std::string key_path = d / "other.key";
  const std::string crt_path = d / "other.crt";
  REQUIRE(std::system(("openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out " +
                       key_path + " 2>/dev/null").c_str()) == 0);
  REQUIRE(std::system(("openssl req -new -x509 -key " + key_path + " -subj /CN=other -days 2 -out " +
                       crt_path + " 2>/dev/null").c_str()) == 0);
  REQUIRE(reopened->replace_tls(rt::read_bytes(crt_path), rt::read_bytes(key_path)));
  const auto other_der = std::string(reopened->tls_key_der().view());
  CHECK(other_der != der);
  const auto third = tls_block_on_disk(keys_dir(d));
  CHECK(third != second);
  REQUIRE(reopened->prepare_rotation());
  CHECK(tls_block_on_disk(keys_dir(d)) == third);
  reopened = error(errc::closed, "released");
  auto last = key_store::open(keys_dir(d), &*new_kek);
  REQUIRE(last.has_value());
  CHECK(std::string(last->tls_key_der().view()) == other_der);
}
