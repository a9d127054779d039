// key_store: DEK rotation states, faults and crashes around every atomic replace, bad input,
// KEK rotation and autolock, and the "no plaintext key on disk while locked" scan.
#include "keys/key_store.h"

#include <catch2/catch.hpp>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <functional>
#include <limits>

#include "codec/cipher.h"
#include "fileio/crash_point.h"
#include "fileio/fault_injection.h"
#include "key_file_edits.h"
#include "support/test_support.h"

using namespace raftvault;
using namespace raftvault::keys;
namespace rt = raftvault::testing;
namespace fs = std::filesystem;

namespace {

struct snapshot_of_state {
  key_status status;
  std::string current;  // DEK bytes, to compare across reopen
  std::string pending;
};

snapshot_of_state capture(const key_store& s) {
  snapshot_of_state out{s.status(), {}, {}};
  const auto c = s.current_key();
  out.current.assign(reinterpret_cast<const char*>(c.bytes), codec::kKeyBytes);
  if (auto p = s.pending_key()) out.pending.assign(reinterpret_cast<const char*>(p->bytes), 32);
  return out;
}

void check_same(const snapshot_of_state& a, const snapshot_of_state& b) {
  CHECK(a.status.locked == b.status.locked);
  CHECK(a.status.kek_version == b.status.kek_version);
  CHECK(a.status.current_generation == b.status.current_generation);
  CHECK(a.status.pending_generation == b.status.pending_generation);
  CHECK(a.status.needs_rotation == b.status.needs_rotation);
  CHECK(a.status.state == b.status.state);
  CHECK(a.current == b.current);
  CHECK(a.pending == b.pending);
}

std::optional<unlock_key> copy_kek(const key_store& s) {
  if (s.kek() == nullptr) return std::nullopt;
  return s.kek()->clone().value();
}

result<key_store> reopen(const std::string& dir, const std::optional<unlock_key>& kek) {
  return key_store::open(dir, kek ? &*kek : nullptr);
}

using transition = std::function<::raftvault::status(key_store&)>;
struct named_transition {
  const char* name;
  transition run;
  rotation_state from;
  rotation_state to;
};

// Walks {C} -> {C,F} -> {C,P} -> {C,P,F} -> {C,F} -> {C,P} -> {C} (generation 3).
const std::vector<named_transition>& transitions() {
  static const std::vector<named_transition> t{
      {"request", [](key_store& s) { return s.request_rotation(); }, rotation_state::steady,
       rotation_state::requested},
      {"prepare", [](key_store& s) { return s.prepare_rotation(); }, rotation_state::requested,
       rotation_state::pending},
      {"request while pending", [](key_store& s) { return s.request_rotation(); },
       rotation_state::pending, rotation_state::pending_and_requested},
      {"complete keeping F", [](key_store& s) { return s.complete_rotation(); },
       rotation_state::pending_and_requested, rotation_state::requested},
      {"prepare again", [](key_store& s) { return s.prepare_rotation(); },
       rotation_state::requested, rotation_state::pending},
      {"complete", [](key_store& s) { return s.complete_rotation(); }, rotation_state::pending,
       rotation_state::steady},
  };
  return t;
}

std::string keys_dir(const rt::temp_dir& d) { return d / "keys"; }

}  // namespace

TEST_CASE("a new store is unlocked with DEK generation 1 and reopens identically", "[keys]") {
  rt::temp_dir d;
  auto store = key_store::create(keys_dir(d), {});
  REQUIRE(store.has_value());
  const auto before = capture(*store);
  CHECK_FALSE(before.status.locked);
  CHECK(before.status.current_generation == 1u);
  CHECK(before.status.state == rotation_state::steady);
  CHECK(store->key_set().size() == 1u);
  struct stat st {};
  REQUIRE(::stat(store->key_path().c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  REQUIRE(::stat(keys_dir(d).c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0700);
  auto sealed = codec::seal(codec::cipher::xchacha20poly1305, store->current_key(), "hello",
                            codec::entry_place(1, 1, 0));
  REQUIRE(sealed.has_value());
  store = error(errc::closed, "released");  // drop the lock
  auto again = key_store::open(keys_dir(d));
  REQUIRE(again.has_value());
  check_same(before, capture(*again));
  auto opened = codec::open(again->key_set(), sealed.value(), codec::entry_place(1, 1, 0));
  REQUIRE(opened.has_value());
  CHECK(opened.value() == "hello");
  auto twice = key_store::create(d / "other", {});
  REQUIRE(twice.has_value());
  auto exists = key_store::create(keys_dir(d), {});
  REQUIRE_FALSE(exists.has_value());
  CHECK(exists.error().code() == errc::locked);  // `again` holds the store
}

TEST_CASE("a new key directory's name is made durable before the key file is written",
          "[keys]") {
  // Without an fsync of the data directory a crash could drop keys/ with node.key in it,
  // while the encrypted log beside it survives: every record would be unreadable.
  rt::temp_dir d;
  fileio::inject_fault(fileio::op::fsync_dir, 1, EIO);
  auto failed = key_store::create(keys_dir(d), {});
  fileio::clear_faults();
  REQUIRE_FALSE(failed.has_value());
  CHECK(failed.error().sys_errno() == EIO);
  CHECK(failed.error().message() == "fsync directory " + d.path() + ": " + std::strerror(EIO));
  CHECK_FALSE(fs::exists(keys_dir(d) + "/" + key_store::kKeyFileName));
}

TEST_CASE("every DEK rotation transition is one durable write, locked or not", "[keys]") {
  for (bool locked : {false, true}) {
    CAPTURE(locked);
    rt::temp_dir d;
    std::optional<unlock_key> kek;
    {
      auto store = key_store::create(keys_dir(d), {locked, {}, {}});
      REQUIRE(store.has_value());
      kek = copy_kek(*store);
      CHECK(kek.has_value() == locked);
    }
    std::uint32_t expected_current = 1;
    for (const auto& t : transitions()) {
      CAPTURE(t.name);
      auto store = reopen(keys_dir(d), kek);
      REQUIRE(store.has_value());
      CHECK(store->status().state == t.from);
      const auto old_current = store->current_key().generation;
      REQUIRE(t.run(*store));
      CHECK(store->status().state == t.to);
      if (t.to == rotation_state::pending) {
        CHECK(store->pending_key()->generation == old_current + 1);
        CHECK(store->key_set().size() == 2u);
      }
      if (std::string(t.name).rfind("complete", 0) == 0) ++expected_current;
      CHECK(store->current_key().generation == expected_current);
      const auto after = capture(*store);
      store = error(errc::closed, "released");
      auto reopened = reopen(keys_dir(d), kek);
      REQUIRE(reopened.has_value());
      check_same(after, capture(*reopened));
    }
  }
}

TEST_CASE("requests coalesce and impossible transitions are refused without a write", "[keys]") {
  rt::temp_dir d;
  auto store = key_store::create(keys_dir(d), {});
  REQUIRE(store.has_value());
  auto digest = [&] { return rt::sha256_hex(rt::read_bytes(store->key_path())); };
  const auto steady = digest();
  auto complete = store->complete_rotation();
  REQUIRE_FALSE(complete);
  CHECK(complete.error().code() == errc::invalid_argument);
  CHECK(complete.error().message() == "no pending DEK: prepare a rotation before completing it");
  CHECK(digest() == steady);
  REQUIRE(store->request_rotation());
  const auto requested = digest();
  REQUIRE(store->request_rotation());
  CHECK(digest() == requested);  // the second request is the same rotation
  REQUIRE(store->prepare_rotation());
  const auto pending = digest();
  auto again = store->prepare_rotation();
  REQUIRE_FALSE(again);
  CHECK(again.error().message() == "a DEK rotation is already pending (generation 2)");
  CHECK(digest() == pending);
}

TEST_CASE("a failed write at any step leaves the previous state on disk and in memory", "[keys]") {
  struct fault { fileio::op op; const char* name; bool after_rename; };
  const std::vector<fault> faults{
      {fileio::op::open, "open", false},     {fileio::op::write, "write", false},
      {fileio::op::fsync, "fsync", false},   {fileio::op::rename, "rename", false},
      {fileio::op::fsync_dir, "fsync_dir", true},
  };
  for (bool locked : {false, true}) {
    for (const auto& f : faults) {
      rt::temp_dir d;
      auto store = key_store::create(keys_dir(d), {locked, {}, {}});
      REQUIRE(store.has_value());
      for (const auto& t : transitions()) {
        CAPTURE(locked, f.name, t.name);
        const auto before = capture(*store);
        const auto before_bytes = rt::read_bytes(store->key_path());
        fileio::inject_fault(f.op, 1, EIO);
        auto st = t.run(*store);
        fileio::clear_faults();
        REQUIRE_FALSE(st);
        CHECK(st.error().code() == errc::io);
        if (!f.after_rename) {
          CHECK(rt::read_bytes(store->key_path()) == before_bytes);
          check_same(before, capture(*store));
        } else {
          // The rename happened: the file and memory both moved to the new state.
          CHECK(rt::read_bytes(store->key_path()) != before_bytes);
          CHECK(store->status().state == t.to);
          CHECK(st.error().message().find("was replaced but may not be durable") !=
                std::string::npos);
        }
        // Whatever happened, the file parses and matches memory.
        const auto now = capture(*store);
        auto kek = copy_kek(*store);
        store = error(errc::closed, "released");
        auto reopened = reopen(keys_dir(d), kek);
        REQUIRE(reopened.has_value());
        check_same(now, capture(*reopened));
        store = std::move(reopened);
        if (!f.after_rename) REQUIRE(t.run(*store));  // move on to the next state
      }
    }
  }
}

TEST_CASE("a crash before or after each atomic replace leaves the old or the new state", "[keys]") {
  struct point { const char* name; bool new_state; };
  const std::vector<point> points{
      {"keys.persist.before_replace", false},
      {"atomic_write.before_rename", false},
      {"atomic_write.after_rename", true},
      {"keys.persist.after_replace", true},
  };
  for (const auto& p : points) {
    rt::temp_dir d;
    std::optional<unlock_key> kek;
    {
      auto store = key_store::create(keys_dir(d), {true, {}, {}});
      REQUIRE(store.has_value());
      kek = copy_kek(*store);
    }
    for (const auto& t : transitions()) {
      CAPTURE(p.name, t.name);
      snapshot_of_state before;
      {
        auto store = reopen(keys_dir(d), kek);
        REQUIRE(store.has_value());
        before = capture(*store);
      }
      const pid_t child = ::fork();
      REQUIRE(child >= 0);
      if (child == 0) {
        auto store = reopen(keys_dir(d), kek);
        if (!store) ::_exit(2);
        fileio::arm_crash_point(p.name);
        (void)t.run(*store);
        ::_exit(0);
      }
      int wstatus = 0;
      REQUIRE(::waitpid(child, &wstatus, 0) == child);
      REQUIRE(WIFEXITED(wstatus));
      CHECK(WEXITSTATUS(wstatus) == fileio::kCrashExitCode);
      auto store = reopen(keys_dir(d), kek);
      REQUIRE(store.has_value());
      CHECK(store->status().state == (p.new_state ? t.to : t.from));
      if (!p.new_state) {
        check_same(before, capture(*store));
        REQUIRE(t.run(*store));  // advance as the crashed child would have
      }
    }
  }
}

TEST_CASE("autolock on wraps everything and requests a DEK rotation - off unwraps", "[keys]") {
  rt::temp_dir d;
  auto store = key_store::create(keys_dir(d), {});
  REQUIRE(store.has_value());
  const auto plain = capture(*store);
  auto on = store->set_autolock(true);
  REQUIRE(on.has_value());
  REQUIRE(on->has_value());
  const auto kek = (*on)->clone().value();
  CHECK(store->status().locked);
  CHECK(store->status().kek_version == 1u);
  CHECK(store->status().state == rotation_state::requested);  // the old DEK was stored unwrapped
  CHECK(store->current_key().generation == plain.status.current_generation);
  auto noop = store->set_autolock(true);
  REQUIRE(noop.has_value());
  CHECK_FALSE(noop->has_value());
  store = error(errc::closed, "released");
  auto locked_open = key_store::open(keys_dir(d));
  REQUIRE_FALSE(locked_open.has_value());
  CHECK(locked_open.error().code() == errc::missing_key);
  CHECK(locked_open.error().message() ==
        "key file " + keys_dir(d) + "/node.key is locked: an unlock key is required");
  CHECK(key_store::is_locked(keys_dir(d)).value());
  store = key_store::open(keys_dir(d), &kek);
  REQUIRE(store.has_value());
  auto off = store->set_autolock(false);
  REQUIRE(off.has_value());
  CHECK_FALSE(off->has_value());
  CHECK_FALSE(store->status().locked);
  CHECK(store->status().kek_version == 2u);
  CHECK(store->status().state == rotation_state::requested);  // unchanged: no new rotation
  CHECK(store->current_key().generation == 1u);
  store = error(errc::closed, "released");
  CHECK_FALSE(key_store::is_locked(keys_dir(d)).value());
  auto reopened = key_store::open(keys_dir(d));
  REQUIRE(reopened.has_value());
  CHECK(capture(*reopened).current == plain.current);
}

TEST_CASE("KEK versions only grow - the same version with another key is refused", "[keys]") {
  rt::temp_dir d;
  auto store = key_store::create(keys_dir(d), {true, {}, {}});
  REQUIRE(store.has_value());
  const auto first = store->kek()->clone().value();
  auto second = store->rotate_kek();
  REQUIRE(second.has_value());
  CHECK(store->status().kek_version == 2u);
  CHECK(store->kek()->same_as(*second));
  auto other = unlock_key::generate().value();
  auto stale = store->update_kek(&other, 1);
  REQUIRE(stale.has_value());
  CHECK_FALSE(stale.value());  // ignored
  CHECK(store->kek()->same_as(*second));
  auto same = store->update_kek(&*second, 2);
  REQUIRE(same.has_value());
  CHECK_FALSE(same.value());
  auto conflict = store->update_kek(&other, 2);
  REQUIRE_FALSE(conflict.has_value());
  CHECK(conflict.error().code() == errc::invalid_argument);
  CHECK(conflict.error().message() ==
        "kek-version 2 is already installed with a different unlock key");
  auto newer = store->update_kek(&other, 7);
  REQUIRE(newer.has_value());
  CHECK(newer.value());
  CHECK(store->status().kek_version == 7u);
  store = error(errc::closed, "released");
  for (const unlock_key* old : {&first, static_cast<const unlock_key*>(&*second)}) {
    auto refused = key_store::open(keys_dir(d), old);
    REQUIRE_FALSE(refused.has_value());
    CHECK(refused.error().code() == errc::wrong_key);
    CHECK(refused.error().message() == "wrong unlock key for key file " + keys_dir(d) + "/node.key");
  }
  REQUIRE(key_store::open(keys_dir(d), &other).has_value());
  auto unlocked = key_store::create(d / "plain", {});
  REQUIRE(unlocked.has_value());
  auto no_kek = unlocked->rotate_kek();
  REQUIRE_FALSE(no_kek.has_value());
  CHECK(no_kek.error().message() ==
        "autolock is off: there is no unlock key to rotate (turn autolock on instead)");
}

TEST_CASE("every kek-version the key file can hold reopens, up to 2^64 - 1", "[keys]") {
  // update_kek takes any version a service distributes; the file must read back what it wrote.
  for (const std::uint64_t version : {std::uint64_t{9'999'999'999'999'999'999u},
                                      std::uint64_t{10'000'000'000'000'000'000u},
                                      std::numeric_limits<std::uint64_t>::max()}) {
    CAPTURE(version);
    rt::temp_dir d;
    auto store = key_store::create(keys_dir(d), {true, {}, {}});
    REQUIRE(store.has_value());
    auto kek = unlock_key::generate().value();
    auto installed = store->update_kek(&kek, version);
    REQUIRE(installed.has_value());
    CHECK(installed.value());
    store = error(errc::closed, "released");
    auto reopened = key_store::open(keys_dir(d), &kek);
    INFO((reopened ? std::string() : reopened.error().describe()));
    REQUIRE(reopened.has_value());
    CHECK(reopened->status().kek_version == version);
  }
  // At the largest version no newer unlock key can be installed: refused, nothing written
  // (kek-version + 1 would wrap to 0, which update_kek ignores as stale).
  {
    rt::temp_dir d;
    auto store = key_store::create(keys_dir(d), {true, {}, {}});
    REQUIRE(store.has_value());
    const auto kek = store->kek()->clone().value();
    REQUIRE(store->update_kek(&kek, std::numeric_limits<std::uint64_t>::max()).has_value());
    const std::string path = store->key_path();
    const std::string before = rt::read_bytes(path);
    const std::string refusal = "kek-version 18446744073709551615 of " + path +
                                " is the largest there is: no newer unlock key can be installed";
    auto rotated = store->rotate_kek();
    REQUIRE_FALSE(rotated.has_value());
    CHECK(rotated.error().code() == errc::invalid_argument);
    CHECK(rotated.error().message() == refusal);
    auto unlocked = store->set_autolock(false);
    REQUIRE_FALSE(unlocked.has_value());
    CHECK(unlocked.error().message() == refusal);
    CHECK(rt::read_bytes(path) == before);
    CHECK(store->kek()->same_as(kek));
  }
  // One past the largest is not a version: refused naming the value (an unlocked file has no
  // MAC, and the edit fixes the digest, so the header itself is what is checked).
  rt::temp_dir d;
  REQUIRE(key_store::create(keys_dir(d), {}).has_value());
  const std::string path = keys_dir(d) + "/node.key";
  std::string text = rt::read_bytes(path);
  const std::string unlocked_version = "kek-version: 0\n";  // a new unlocked store
  const auto at = text.find(unlocked_version);
  REQUIRE(at != std::string::npos);
  text.replace(at, unlocked_version.size(), "kek-version: 18446744073709551616\n");
  rt::write_bytes(path, rt::redigested(text));  // an edit on purpose: the digest matches
  ::chmod(path.c_str(), 0600);
  auto refused = key_store::open(keys_dir(d));
  REQUIRE_FALSE(refused.has_value());
  CHECK(refused.error().code() == errc::corruption);
  CHECK(refused.error().message() == "key file " + path +
                                         ": kek-version \"18446744073709551616\" is not a decimal "
                                         "number below 2^64");
}

namespace {

std::string replace_once(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

// Changes one base64 character of the line that starts with `prefix` to another valid one.
std::string flip_in_line(std::string text, const std::string& prefix, std::size_t offset) {
  auto at = text.find(prefix);
  REQUIRE(at != std::string::npos);
  at += prefix.size() + offset;
  text[at] = text[at] == 'A' ? 'B' : 'A';
  return text;
}

}  // namespace

TEST_CASE("bad key files and keys are refused with their own error, file untouched", "[keys]") {
  rt::temp_dir d;
  std::optional<unlock_key> kek;
  {
    auto store = key_store::create(keys_dir(d), {true, {}, {}});
    REQUIRE(store.has_value());
    REQUIRE(store->request_rotation());
    REQUIRE(store->prepare_rotation());
    kek = copy_kek(*store);
  }
  const std::string path = keys_dir(d) + "/node.key";
  const std::string good = rt::read_bytes(path);
  auto wrong = unlock_key::generate().value();
  struct bad_case {
    const char* name;
    std::string contents;
    const unlock_key* key;
    errc code;
    std::string message;
  };
  const std::string mac_mismatch =
      "key file " + path + ": MAC mismatch: the file was modified or damaged after it was "
      "written (the unlock key itself is right)";
  const auto key_block = good.find("-----BEGIN ENCRYPTED PRIVATE KEY-----");
  const std::vector<bad_case> cases{
      {"wrong unlock key", good, &wrong, errc::wrong_key, "wrong unlock key for key file " + path},
      {"no unlock key", good, nullptr, errc::missing_key,
       "key file " + path + " is locked: an unlock key is required"},
      {"truncated", good.substr(0, good.size() / 2), &*kek, errc::corruption, ""},
      {"flipped byte in the key block", rt::redigested(flip_in_line(good, "-----BEGIN ENCRYPTED PRIVATE KEY-----\n", 40)),
       &*kek, errc::corruption, mac_mismatch},
      {"flipped byte in raft-dek", rt::redigested(flip_in_line(good, "raft-dek: ", 30)), &*kek, errc::corruption,
       mac_mismatch},
      {"flipped byte in raft-dek-pending", rt::redigested(flip_in_line(good, "raft-dek-pending: ", 30)), &*kek,
       errc::corruption, mac_mismatch},
      {"changed kek-version", rt::redigested(replace_once(good, "kek-version: 1\n", "kek-version: 2\n")), &*kek,
       errc::corruption, mac_mismatch},
      {"changed raft-dek-needs-rotation",
       rt::redigested(replace_once(good, "raft-dek-needs-rotation: false", "raft-dek-needs-rotation: true")),
       &*kek, errc::corruption, mac_mismatch},
      {"flipped byte in kek-mac", rt::redigested(flip_in_line(good, "kek-mac: ", 5)), &*kek, errc::corruption,
       mac_mismatch},
      {"unknown PEM block", rt::redigested(good + "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"),
       &*kek, errc::corruption, "key file " + path + ": unknown PEM block \"CERTIFICATE\" at line " +
       std::to_string(std::count(good.begin(), good.end(), '\n') + 1)},
      {"missing TLS key block", rt::redigested(good.substr(0, key_block)), &*kek, errc::corruption,
       "key file " + path + ": missing the TLS private key block"},
      {"missing state block", good.substr(key_block), &*kek, errc::corruption,
       "key file " + path + ": missing the RAFTVAULT KEY STATE block"},
      {"pending DEK without a current one",
       [&] {
         auto t = good;
         const auto at = t.find("raft-dek: ");
         return rt::redigested(t.erase(at, t.find('\n', at) + 1 - at));
       }(),
       &*kek, errc::corruption,
       "key file " + path + ": raft-dek-pending without raft-dek (a pending DEK needs a current one)"},
      {"text outside a block", "hello\n" + rt::without_digest_line(good), &*kek, errc::corruption,
       "key file " + path + ": line 1: text outside a PEM block"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.name);
    rt::write_bytes(path, c.contents);
    ::chmod(path.c_str(), 0600);
    const auto digest = rt::sha256_hex(rt::read_bytes(path));
    auto opened = key_store::open(keys_dir(d), c.key);
    REQUIRE_FALSE(opened.has_value());
    CHECK(opened.error().code() == c.code);
    if (!c.message.empty()) CHECK(opened.error().message() == c.message);
    CHECK(rt::sha256_hex(rt::read_bytes(path)) == digest);
  }
  rt::write_bytes(path, good);
  ::chmod(path.c_str(), 0644);
  auto loose_file = key_store::open(keys_dir(d), &*kek);
  REQUIRE_FALSE(loose_file.has_value());
  CHECK(loose_file.error().code() == errc::invalid_argument);
  CHECK(loose_file.error().message() == "key file " + path + " has mode 0644; refusing to use it "
                                        "until it is 0600 (no access for group or others)");
  ::chmod(path.c_str(), 0600);
  ::chmod(keys_dir(d).c_str(), 0755);
  auto loose_dir = key_store::open(keys_dir(d), &*kek);
  REQUIRE_FALSE(loose_dir.has_value());
  CHECK(loose_dir.error().message() == "key directory " + keys_dir(d) + " has mode 0755; refusing "
                                       "to use it until it is 0700 (no access for group or others)");
  ::chmod(keys_dir(d).c_str(), 0700);
  CHECK(rt::read_bytes(path) == good);
  REQUIRE(key_store::open(keys_dir(d), &*kek).has_value());
}

TEST_CASE("full lifecycle leaves no raw DEK, KEK or TLS key on disk while locked", "[keys]") {
  rt::temp_dir d;
  const std::string data_dir = d / "data";
  REQUIRE(fileio::make_dir(data_dir));
  const std::string dir = data_dir + "/keys";
  std::vector<std::string> secrets;  // every DEK and KEK (raw and text) and the TLS key DER
  auto remember = [&](const key_store& s) {
    for (const auto& k : s.key_set()) secrets.emplace_back(reinterpret_cast<const char*>(k.bytes), 32);
    if (s.kek()) {
      secrets.emplace_back(s.kek()->bytes().view());
      secrets.emplace_back(s.kek()->text().value().view());
    }
    secrets.emplace_back(s.tls_key_der().view());
  };
  auto scan = [&](const char* when) {
    CAPTURE(when);
    std::size_t files = 0;
    for (const auto& e : fs::recursive_directory_iterator(data_dir)) {
      if (!e.is_regular_file()) continue;
      ++files;
      const auto bytes = rt::read_bytes(e.path().string());
      for (const auto& s : secrets) {
        CAPTURE(e.path().string());
        CHECK(bytes.find(s) == std::string::npos);
      }
    }
    CHECK(files >= 2u);
  };
  auto store = key_store::create(dir, {});  // init unlocked
  REQUIRE(store.has_value());
  remember(*store);
  REQUIRE(store->set_autolock(true).has_value());  // lock
  remember(*store);
  scan("after lock");
  REQUIRE(store->rotate_kek().has_value());  // rotate the unlock key
  remember(*store);
  scan("after KEK rotation");
  // A failed write leaves node.key.tmp behind: it must be as safe as node.key.
  CHECK(store->status().state == rotation_state::requested);  // locking asked for a new DEK
  fileio::inject_fault(fileio::op::fsync, 1, EIO);
  CHECK_FALSE(store->prepare_rotation());
  fileio::clear_faults();
  REQUIRE(fileio::exists(dir + "/node.key.tmp"));
  scan("with a temp file");
  REQUIRE(store->prepare_rotation());  // rotate the DEK
  remember(*store);
  scan("with a pending DEK");
  REQUIRE(store->complete_rotation());
  scan("after DEK rotation");
  const auto last_dek = capture(*store).current;
  REQUIRE(store->set_autolock(false).has_value());  // unlock: the DEK is now stored in the clear
  CHECK(rt::read_bytes(dir + "/node.key").find(last_dek) == std::string::npos);  // base64, not raw
}

