// The keyless digest of node.key: damage anywhere in the file is found without a key (an
// unlocked file has no MAC), reported as damage before any other check, and an older file
// without a digest is still read and gets one at its next write.
#include <catch2/catch.hpp>
#include <sys/stat.h>

#include "key_file_edits.h"
#include "keys/key_store.h"
#include "support/test_support.h"

using namespace raftvault;
using namespace raftvault::keys;
namespace rt = raftvault::testing;

namespace {

// Changes the character `offset` bytes after the first occurrence of `marker` to another one
// that is valid at that place (base64 or decimal), as a single bit rot would often leave it.
std::string flipped_after(std::string text, const std::string& marker, std::size_t offset) {
  auto at = text.find(marker);
  REQUIRE(at != std::string::npos);
  at += marker.size() + offset;
  text[at] = text[at] == '1' ? '2' : (text[at] == 'A' ? 'B' : (text[at] == '0' ? '1' : 'A'));
  return text;
}

struct damage {
  const char* name;
  std::string marker;
  std::size_t offset;
};

const std::vector<damage> kDamage{
    {"the TLS key block", "PRIVATE KEY-----\n", 70},
    {"kek-version", "kek-version: ", 0},
    {"raft-dek", "raft-dek: ", 20},
    {"raft-dek-needs-rotation", "raft-dek-needs-rotation: ", 0},
    {"the state block's body", "\n\n", 3},
    {"the digest itself", "raftvault-digest: blake2b-256:", 10},
};

void expect_damaged(const std::string& dir, const std::string& text, const unlock_key* kek) {
  const std::string path = dir + "/node.key";
  rt::write_bytes(path, text);
  ::chmod(path.c_str(), 0600);
  const std::string message =
      "key file " + path + " is damaged (digest mismatch): it changed after raftvault wrote it";
  auto opened = key_store::open(dir, kek);
  REQUIRE_FALSE(opened.has_value());
  CHECK(opened.error().code() == errc::corruption);
  CHECK(opened.error().message() == message);
  auto locked = key_store::is_locked(dir);  // no key needed to find it
  REQUIRE_FALSE(locked.has_value());
  CHECK(locked.error().message() == message);
  CHECK(rt::read_bytes(path) == text);
}

}  // namespace

TEST_CASE("the digest line is the documented BLAKE2b-256 of the rest of the file", "[keys]") {
  rt::temp_dir d;
  for (bool autolock : {false, true}) {
    CAPTURE(autolock);
    const std::string dir = d / (autolock ? "locked" : "unlocked");
    REQUIRE(key_store::create(dir, {autolock, {}, {}}).has_value());
    const std::string text = rt::read_bytes(dir + "/node.key");
    const std::string first_header = text.substr(text.find('\n') + 1);
    CHECK(first_header.substr(0, first_header.find('\n') + 1) ==
          rt::key_file_digest_line(rt::without_digest_line(text)));
    CHECK(rt::redigested(text) == text);
  }
}

TEST_CASE("damage to an unlocked key file is found without a key and names the file", "[keys]") {
  rt::temp_dir d;
  const std::string dir = d / "keys";
  {
    auto store = key_store::create(dir, {});
    REQUIRE(store.has_value());
    REQUIRE(store->request_rotation());
  }
  const std::string good = rt::read_bytes(dir + "/node.key");
  for (const auto& c : kDamage) {
    CAPTURE(c.name);
    const std::string bad = flipped_after(good, c.marker, c.offset);
    REQUIRE(bad != good);
    expect_damaged(dir, bad, nullptr);
  }
  rt::write_bytes(dir + "/node.key", good);
  REQUIRE(key_store::open(dir).has_value());
}

TEST_CASE("damage to a locked key file is damage, not a wrong or missing key", "[keys]") {
  rt::temp_dir d;
  const std::string dir = d / "keys";
  std::optional<unlock_key> kek;
  {
    auto store = key_store::create(dir, {true, {}, {}});
    REQUIRE(store.has_value());
    kek = store->kek()->clone().value();
  }
  const std::string good = rt::read_bytes(dir + "/node.key");
  auto wrong = unlock_key::generate().value();
  const std::vector<const unlock_key*> keys_to_try{&*kek, &wrong, nullptr};
  for (const unlock_key* key : keys_to_try) {
    expect_damaged(dir, flipped_after(good, "kek-check: ", 4), key);
    expect_damaged(dir, flipped_after(good, "kek-version: ", 0), key);
  }
  rt::write_bytes(dir + "/node.key", good);
  REQUIRE(key_store::open(dir, &*kek).has_value());
}

TEST_CASE("a key file without a digest is read and gets one at its next write", "[keys]") {
  rt::temp_dir d;
  for (bool autolock : {false, true}) {
    CAPTURE(autolock);
    const std::string dir = d / (autolock ? "locked" : "unlocked");
    std::optional<unlock_key> kek;
    {
      auto store = key_store::create(dir, {autolock, {}, {}});
      REQUIRE(store.has_value());
      CHECK(store->status().has_digest);
      if (autolock) kek = store->kek()->clone().value();
    }
    const std::string path = dir + "/node.key";
    const std::string old_format = rt::without_digest_line(rt::read_bytes(path));
    REQUIRE(old_format.find("raftvault-digest") == std::string::npos);
    rt::write_bytes(path, old_format);
    auto store = key_store::open(dir, kek ? &*kek : nullptr);
    REQUIRE(store.has_value());
    CHECK_FALSE(store->status().has_digest);
    CHECK(rt::read_bytes(path) == old_format);  // reading adds nothing
    REQUIRE(store->request_rotation());
    CHECK(store->status().has_digest);
    const std::string rewritten = rt::read_bytes(path);
    CHECK(rewritten.find("raftvault-digest: blake2b-256:") != std::string::npos);
    CHECK(rt::redigested(rewritten) == rewritten);
  }
}
