// The TLS key in node.key is standard PKCS#8 that the real `openssl` command opens with the
// unlock key's text form; certificates are checked against the key and replaced crash-safely.
#include <catch2/catch.hpp>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>

#include "fileio/crash_point.h"
#include "keys/key_store.h"
#include "support/test_support.h"

using namespace raftvault;
using namespace raftvault::keys;
namespace rt = raftvault::testing;

namespace {

// Runs a shell command; returns its exit status.
int run(const std::string& command) {
  const int rc = std::system((command + " 2>/dev/null").c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

std::string normalized_key(const std::string& pem_path, const std::string& pass_env = "") {
  const std::string out = pem_path + ".norm";
  std::string cmd = "openssl pkey -in " + pem_path + " -out " + out;
  if (!pass_env.empty()) cmd += " -passin env:" + pass_env;
  REQUIRE(run(cmd) == 0);
  return rt::read_bytes(out);
}

secret_bytes secret(const std::string& pem) { return secret_bytes::copy_of(pem).value(); }

void set_pass(const unlock_key& key) {
  ::setenv("RAFTVAULT_TEST_PASS", std::string(key.text().value().view()).c_str(), 1);
}

}  // namespace

TEST_CASE("openssl opens the locked TLS key with the unlock key, also after KEK rotation",
          "[keys][openssl]") {
  struct algorithm { const char* name; const char* genpkey_args; };
  const std::vector<algorithm> algorithms{
      {"EC P-256", "-algorithm EC -pkeyopt ec_paramgen_curve:P-256"},
      {"Ed25519", "-algorithm ED25519"},
      {"RSA-2048", "-algorithm RSA -pkeyopt rsa_keygen_bits:2048"},
  };
  for (const auto& alg : algorithms) {
    CAPTURE(alg.name);
    rt::temp_dir d;
    const std::string original = d / "original.pem";
    REQUIRE(run(std::string("openssl genpkey ") + alg.genpkey_args + " -out " + original) == 0);
    const std::string expected = normalized_key(original);
    const std::string dir = d / "keys";
    const std::string node_key = dir + "/node.key";
    auto store = key_store::create(dir, {true, secret(rt::read_bytes(original)), {}});
    REQUIRE(store.has_value());
    CHECK(rt::read_bytes(node_key).find("-----BEGIN ENCRYPTED PRIVATE KEY-----") != std::string::npos);
    const auto first = store->kek()->clone().value();
    set_pass(first);
    CHECK(normalized_key(node_key, "RAFTVAULT_TEST_PASS") == expected);
    CHECK(std::string(store->tls_key_pem().value().view()) == expected);

    auto second = store->rotate_kek();
    REQUIRE(second.has_value());
    set_pass(*second);
    CHECK(normalized_key(node_key, "RAFTVAULT_TEST_PASS") == expected);
    set_pass(first);
    CHECK(run("openssl pkey -in " + node_key + " -passin env:RAFTVAULT_TEST_PASS -noout") != 0);

    // Unlocked, the key is a plain PKCS#8 block that openssl reads with no password.
    REQUIRE(store->set_autolock(false).has_value());
    CHECK(normalized_key(node_key) == expected);
    ::unsetenv("RAFTVAULT_TEST_PASS");
  }
}

TEST_CASE("a TLS key that is not a PEM private key is refused, an empty one too", "[keys][openssl]") {
  rt::temp_dir d;
  for (const char* pem : {"", "-----BEGIN PRIVATE KEY-----\n"}) {
    CAPTURE(pem);
    auto store = key_store::create(d / "keys", {false, secret(pem), {}});
    REQUIRE_FALSE(store.has_value());
    CHECK(store.error().code() == errc::invalid_argument);
    CHECK(store.error().message().rfind("TLS key is not an unencrypted PEM private key: ", 0) == 0);
    CHECK_FALSE(fileio::exists(d / "keys/node.key"));
  }
}

TEST_CASE("certificates must match the key and are replaced with the key crash-safely",
          "[keys][openssl]") {
  rt::temp_dir d;
  auto make_pair = [&](const std::string& name) {
    const std::string key = d / (name + ".key");
    const std::string crt = d / (name + ".crt");
    REQUIRE(run("openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out " + key) == 0);
    REQUIRE(run("openssl req -new -x509 -key " + key + " -subj /CN=" + name + " -days 2 -out " + crt) == 0);
    return std::make_pair(rt::read_bytes(key), rt::read_bytes(crt));
  };
  const auto a = make_pair("node-a");
  const auto b = make_pair("node-b");
  const std::string dir = d / "keys";
  auto mismatch = key_store::create(dir, {false, secret(a.first), b.second});
  REQUIRE_FALSE(mismatch.has_value());
  CHECK(mismatch.error().code() == errc::invalid_argument);
  CHECK(mismatch.error().message() == "certificate " + dir + "/node.crt does not match the TLS private key");
  mismatch = error(errc::closed, "released");

  std::optional<unlock_key> kek;
  {
    auto store = key_store::create(dir, {true, secret(a.first), a.second});
    REQUIRE(store.has_value());
    CHECK(store->tls_certificate_pem().value() == a.second);
    auto bad = store->replace_tls(a.second, b.first);
    REQUIRE_FALSE(bad);
    CHECK(bad.error().message() == "certificate " + dir + "/node.crt does not match the TLS private key");
    kek = store->kek()->clone().value();
  }
  struct point { const char* name; bool replaced; };
  for (const auto& p : {point{"keys.tls.cert_staged", false}, point{"keys.tls.key_replaced", true}}) {
    CAPTURE(p.name);
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
      auto store = key_store::open(dir, &*kek);
      if (!store) ::_exit(2);
      fileio::arm_crash_point(p.name);
      (void)store->replace_tls(b.second, b.first);
      ::_exit(0);
    }
    int wstatus = 0;
    REQUIRE(::waitpid(child, &wstatus, 0) == child);
    REQUIRE(WIFEXITED(wstatus));
    CHECK(WEXITSTATUS(wstatus) == fileio::kCrashExitCode);
    CHECK(rt::read_bytes(dir + "/node.crt") == a.second);  // the rename had not happened yet
    CHECK(fileio::exists(dir + "/node.crt.next"));
    auto store = key_store::open(dir, &*kek);  // recovery: finish or discard the staged cert
    REQUIRE(store.has_value());
    CHECK_FALSE(fileio::exists(dir + "/node.crt.next"));
    CHECK(store->tls_certificate_pem().value() == (p.replaced ? b.second : a.second));
    auto back = store->replace_tls(a.second, a.first);  // reset for the next crash point
    REQUIRE(back);
  }
}
