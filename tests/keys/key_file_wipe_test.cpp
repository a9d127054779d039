// No copy of an unwrapped DEK is left in freed heap memory by encoding an unlocked key file
// (autolock off, the default): the file's text is wiped by its owner, and every intermediate
// string that held the base64 DEK must be wiped (or never exist) too. Checked by scanning every
// block the program frees while the encoder runs.
#include <malloc.h>
#include <sodium.h>

#include <catch2/catch.hpp>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <new>

#include "keys/dek.h"
#include "keys/key_file.h"
#include "keys/pem.h"
#include "keys/tls_key.h"

// Not under ASan: it owns operator new/delete, and a replaced delete would hand its blocks to
// free() (alloc-dealloc-mismatch). The normal build runs these tests.
#if !defined(__SANITIZE_ADDRESS__)

namespace {

// Set while a test watches frees; the needle lives in static storage (the scan must not
// allocate).
std::atomic<bool> watching{false};
char needle[64];
std::size_t needle_size = 0;
std::atomic<int> freed_with_needle{0};

void scan_and_free(void* p) noexcept {
  if (p != nullptr && watching.load(std::memory_order_relaxed) &&
      ::memmem(p, ::malloc_usable_size(p), needle, needle_size) != nullptr) {
    freed_with_needle.fetch_add(1, std::memory_order_relaxed);
  }
  std::free(p);
}

// An unlocked key file's contents: a current DEK and a TLS key (no KEK).
raftvault::keys::key_file_contents unlocked_contents() {
  raftvault::keys::key_file_contents contents;
  auto current = raftvault::keys::generate_dek(1);
  REQUIRE(current);
  contents.current = std::move(current.value());
  auto tls = raftvault::keys::generate_tls_key();
  REQUIRE(tls);
  contents.tls_key = std::move(tls.value());
  return contents;
}

}  // namespace

void operator delete(void* p) noexcept { scan_and_free(p); }
void operator delete(void* p, std::size_t) noexcept { scan_and_free(p); }

using namespace raftvault;
using namespace raftvault::keys;

TEST_CASE("encoding an unlocked key file leaves no copy of the DEK in freed memory", "[keys]") {
  key_file_contents contents = unlocked_contents();
  auto pending = generate_dek(2);
  REQUIRE(pending);
  contents.pending = std::move(pending.value());

  // The header value of the current DEK: base64 of its NONE record. 40 characters of it
  // encode key bytes only (the record's first 3 bytes are framing: 4 characters).
  std::string header = base64_encode(codec::encode_plain_record(contents.current.key.view(), 1));
  REQUIRE(header.size() >= 44);
  needle_size = 40;
  std::memcpy(needle, header.data() + 4, needle_size);
  sodium_memzero(header.data(), header.size());

  freed_with_needle = 0;
  watching = true;
  auto text = encode_key_file(contents, nullptr);
  watching = false;
  REQUIRE(text);
  CHECK(text->find(std::string_view(needle, needle_size)) != std::string::npos);
  sodium_memzero(text->data(), text->size());
  CHECK(freed_with_needle.load() == 0);
}

TEST_CASE("decoding an unlocked key file leaves no copy of the DEK in freed memory", "[keys]") {
  key_file_contents contents = unlocked_contents();
  auto text = encode_key_file(contents, nullptr);
  REQUIRE(text);
  std::string header = base64_encode(codec::encode_plain_record(contents.current.key.view(), 1));
  needle_size = 40;
  std::memcpy(needle, header.data() + 4, needle_size);
  sodium_memzero(header.data(), header.size());

  freed_with_needle = 0;
  watching = true;
  {
    auto decoded = decode_key_file(*text, nullptr, "node.key");
    REQUIRE(decoded);
    CHECK(decoded->current.key.equals(contents.current.key));
  }
  watching = false;
  sodium_memzero(text->data(), text->size());
  CHECK(freed_with_needle.load() == 0);
}

TEST_CASE("decoding an unlocked key file leaves no copy of the TLS key in freed memory", "[keys]") {
  key_file_contents contents = unlocked_contents();
  auto text = encode_key_file(contents, nullptr);
  REQUIRE(text);
  // The PKCS#8 DER's base64, as the PEM body carries it (the private scalar is in it).
  std::string body = base64_encode(contents.tls_key.view());
  REQUIRE(body.size() >= 140);
  needle_size = 40;
  std::memcpy(needle, body.data() + 64, needle_size);
  sodium_memzero(body.data(), body.size());

  freed_with_needle = 0;
  watching = true;
  {
    auto decoded = decode_key_file(*text, nullptr, "node.key");
    REQUIRE(decoded);
    CHECK(decoded->tls_key.equals(contents.tls_key));
  }
  watching = false;
  sodium_memzero(text->data(), text->size());
  CHECK(freed_with_needle.load() == 0);
}

#endif  // !__SANITIZE_ADDRESS__
