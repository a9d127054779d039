// Every refusal of the CLI: the exit code, the one-line message saying what to do, and the
// store's files unchanged (digest of every file before and after).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli_fixtures.h"
#include "fileio/file.h"
#include <limits>

#include "keys/key_file_edits.h"
#include "keys/key_store.h"
#include "keys/unlock_key.h"

using namespace raftvault;
using namespace raftvault::testing;

namespace {

const std::vector<std::vector<std::string>> kKeyedCommands = {
    {"status"}, {"dump", "--json"}, {"verify"}, {"rotate-dek"}, {"unlock-key", "rotate"}, {"autolock", "off"}};

}  // namespace

TEST_CASE("a locked store without its unlock key is refused by every command", "[cli][errors]") {
  locked_store s;
  for (const auto& cmd : kKeyedCommands)
    expect_refusal(s.store, with_dir(cmd, s.store), {},
                   "store " + s.store + " is locked: pass --unlock-key-file FILE or set RAFTVAULT_UNLOCK_KEY");
  auto args = with_dir({"export", "--out", s.source.dir / "out"}, s.store);
  expect_refusal(s.store, args, {}, "is locked: pass --unlock-key-file FILE");
  CHECK_FALSE(fileio::exists(s.source.dir / "out"));
}

TEST_CASE("no unlock key is installed over the largest kek-version", "[cli][errors]") {
  locked_store s;
  {
    auto kek = keys::unlock_key::parse(s.key);
    REQUIRE(kek);
    auto store = keys::key_store::open(s.store + "/keys", &*kek);
    REQUIRE(store);
    REQUIRE(store->update_kek(&*kek, std::numeric_limits<std::uint64_t>::max()));
  }
  const std::string key_file = save_key(s.source.dir, "node.unlock", s.key);
  // Refused before a new key is printed: none would open the store.
  for (const auto& cmd : std::vector<std::vector<std::string>>{{"unlock-key", "rotate"}, {"autolock", "off"}}) {
    expect_refusal(s.store, with_dir({cmd[0], cmd[1], "--unlock-key-file", key_file}, s.store), {},
                   "kek-version 18446744073709551615 of " + s.store +
                       "/keys/node.key is the largest there is: no newer unlock key can be installed");
  }
}

TEST_CASE("a wrong unlock key is refused and says which key to use", "[cli][errors]") {
  locked_store s;
  auto other = keys::unlock_key::generate();
  REQUIRE(other);
  auto text = other->text();
  REQUIRE(text);
  const std::map<std::string, std::string> env{{"RAFTVAULT_UNLOCK_KEY", std::string(text->view())}};
  for (const auto& cmd : kKeyedCommands)
    expect_refusal(s.store, with_dir(cmd, s.store), env, "wrong unlock key for key file " + s.store + "/keys/node.key");
  // The same key from a file.
  const std::string key_file = save_key(s.source.dir, "wrong.key", std::string(text->view()));
  expect_refusal(s.store, with_dir({"dump", "--unlock-key-file", key_file}, s.store), {}, "wrong unlock key");
}

TEST_CASE("a malformed unlock key is reported as a typo before any decryption", "[cli][errors]") {
  locked_store s;
  std::string typo = s.key;
  typo[10] = typo[10] == 'A' ? 'B' : 'A';
  expect_refusal(s.store, with_dir({"status"}, s.store), {{"RAFTVAULT_UNLOCK_KEY", typo}},
                 "malformed unlock key (checksum)");
  expect_refusal(s.store, with_dir({"dump"}, s.store), {{"RAFTVAULT_UNLOCK_KEY", "hello"}}, "malformed unlock key");
  // A key file others can read is refused (naming its mode), not used.
  const std::string loose = s.source.dir / "loose.key";
  write_bytes(loose, s.key);
  ::chmod(loose.c_str(), 0644);
  expect_refusal(s.store, with_dir({"status", "--unlock-key-file", loose}, s.store), {}, loose);
}

TEST_CASE("damaged files are named with offset and cause, and nothing is repaired", "[cli][errors]") {
  locked_store s;
  const std::map<std::string, std::string> env{{"RAFTVAULT_UNLOCK_KEY", s.key}};
  const std::string segment = s.store + "/wal-v3-encrypted/0000000000000000-0000000000000000.wal";
  SECTION("a flipped byte in a WAL record") {
    auto bytes = read_bytes(segment);
    bytes[5000] = static_cast<char>(bytes[5000] ^ 0x40);
    write_bytes(segment, bytes);
    const auto before = tree_digest(s.store);
    auto verified = run_raftvault({"verify", "--data-dir", s.store}, env);
    CHECK(verified.exit_code == 1);
    CHECK(one_line(verified.err));
    CHECK_THAT(verified.err, Catch::Contains(segment) && Catch::Contains("offset") && Catch::Contains("CRC mismatch"));
    CHECK(tree_digest(s.store) == before);
    expect_refusal(s.store, with_dir({"dump"}, s.store), env, segment);
    expect_refusal(s.store, with_dir({"rotate-dek"}, s.store), env, segment);
  }
  SECTION("a sealed snapshot that does not authenticate") {
    const std::string snap = s.store + "/snap-v3-encrypted/0000000000000002-0000000000000014.snap";
    // Corrupt the ciphertext and fix the file's CRC? No: the CRC catches it first. Either way
    // verify names the file.
    auto bytes = read_bytes(snap);
    bytes[bytes.size() / 2] = static_cast<char>(bytes[bytes.size() / 2] ^ 0x01);
    write_bytes(snap, bytes);
    expect_refusal(s.store, with_dir({"verify"}, s.store), env, snap + " offset 0");
  }
  SECTION("a damaged snapshot the WAL cannot do without is named, not the WAL") {
    // The WAL holds only the entries after the snapshot: without it a restart has nothing to
    // start from, and the error must send the operator to the .snap file, not the healthy WAL.
    const std::string snap = s.store + "/snap-v3-encrypted/0000000000000002-0000000000000014.snap";
    auto bytes = read_bytes(snap);
    bytes[3000] = static_cast<char>(bytes[3000] ^ 0x01);
    write_bytes(snap, bytes);
    for (const auto& cmd : std::vector<std::vector<std::string>>{{"status"}, {"dump"}})
      expect_refusal(s.store, with_dir(cmd, s.store), env,
                     "the newest snapshot " + snap + ": crc mismatch");
    expect_refusal(s.store, with_dir({"rotate-dek"}, s.store), env, snap + ": crc mismatch");
    expect_refusal(s.store, with_dir({"export", "--out", s.source.dir / "out"}, s.store), env,
                   "the newest snapshot " + snap + ": crc mismatch");
    CHECK_FALSE(fileio::exists(s.source.dir / "out"));
  }
  SECTION("a modified key file") {
    const std::string key_path = s.store + "/keys/node.key";
    auto text = read_bytes(key_path);
    const auto at = text.find("kek-version: 1");
    REQUIRE(at != std::string::npos);
    text.replace(at, 14, "kek-version: 7");
    write_bytes(key_path, text);
    expect_refusal(s.store, with_dir({"verify"}, s.store), env,
                   "key file " + key_path + " is damaged (digest mismatch)");
    // Changed on purpose, keyless digest and all: the MAC under the unlock key still tells.
    write_bytes(key_path, redigested(text));
    expect_refusal(s.store, with_dir({"verify"}, s.store), env, "MAC mismatch");
  }
}

TEST_CASE("a store in use by another process is refused with the reason", "[cli][errors]") {
  locked_store s;
  const std::map<std::string, std::string> env{{"RAFTVAULT_UNLOCK_KEY", s.key}};
  for (const std::string& lock_path : {s.store + "/keys/LOCK", s.store + "/wal-v3-encrypted/raftvault.lock"}) {
    INFO(lock_path);
    auto held = fileio::exclusive_lock::acquire(lock_path);  // what a running service holds
    REQUIRE(held);
    for (const auto& cmd : kKeyedCommands)
      expect_refusal(s.store, with_dir(cmd, s.store), env, "is another raftvault process or service running on it?");
    // Even without the key: the lock is the first thing said.
    expect_refusal(s.store, with_dir({"status"}, s.store), {}, "is in use");
  }
}

TEST_CASE("usage errors exit 2 naming the flag, --help exits 0", "[cli][usage]") {
  struct usage_case {
    std::vector<std::string> args;
    std::string message;
  };
  const std::vector<usage_case> cases = {
      {{}, "usage: raftvault <command>"},
      {{"frobnicate"}, "unknown command 'frobnicate'"},
      {{"status"}, "--data-dir DIR is required"},
      {{"status", "--data-dir"}, "--data-dir needs a value (DIR)"},
      {{"status", "--data-dir", "/x", "--bogus"}, "unknown flag --bogus"},
      {{"status", "--data-dir", "/x", "extra"}, "unexpected argument 'extra'"},
      {{"init", "--data-dir", "/x", "--cipher", "rot13"}, "--cipher: "},
      {{"dump", "--data-dir", "/x", "--from", "ten"}, "--from expects a non-negative integer, got 'ten'"},
      {{"autolock", "--data-dir", "/x"}, "expected on|off"},
      {{"autolock", "maybe", "--data-dir", "/x"}, "expected on or off, got 'maybe'"},
      {{"unlock-key", "show", "--data-dir", "/x"}, "unknown action 'show'"},
      {{"import", "--data-dir", "/x"}, "--wal-dir WAL is required"},
      {{"export", "--data-dir", "/x"}, "--out OUT is required"},
      {{"demo", "--seconds", "0"}, "--seconds must be between 1 and 600"},
  };
  for (const auto& c : cases) {
    auto r = run_raftvault(c.args);
    INFO(r.err);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains(c.message));
    CHECK(r.out.empty());
  }
  for (const char* cmd : {"init", "status", "dump", "verify", "import", "export", "rotate-dek", "unlock-key",
                                "autolock", "demo"}) {
    auto r = run_raftvault({cmd, "--help"});
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.out, Catch::StartsWith(std::string("usage: raftvault ") + cmd));
  }
  auto top = run_raftvault({"--help"});
  CHECK(top.exit_code == 0);
  CHECK_THAT(top.out, Catch::Contains("rotate-dek"));
}

TEST_CASE("commands refuse to overwrite or to guess", "[cli][errors]") {
  locked_store s;
  const std::map<std::string, std::string> env{{"RAFTVAULT_UNLOCK_KEY", s.key}};
  expect_refusal(s.store, {"init", "--data-dir", s.store}, {}, "already holds a raftvault store");
  expect_refusal(s.store, {"import", "--segment-size", "262144", "--wal-dir", s.source.wal, "--data-dir", s.store}, {}, "already holds a raftvault store");
  const std::string out = s.source.dir / "out";
  REQUIRE(fileio::make_dir(out));
  write_bytes(out + "/keep", "x");
  expect_refusal(s.store, {"export", "--data-dir", s.store, "--out", out}, env, "is not an empty directory");
  const std::string file_out = s.source.dir / "out-file";
  write_bytes(file_out, "");  // an empty file is not an empty directory
  expect_refusal(s.store, {"export", "--data-dir", s.store, "--out", file_out}, env,
                 "--out " + file_out + " exists and is not an empty directory: choose a new path");
  CHECK(read_bytes(file_out).empty());
  const std::string empty = s.source.dir / "nothing";
  REQUIRE(fileio::make_dir(empty));
  auto r = run_raftvault({"status", "--data-dir", empty});
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("no raftvault store in " + empty));
  r = run_raftvault({"import", "--segment-size", "262144", "--wal-dir", empty, "--data-dir", s.source.dir / "new"});
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("no etcd WAL segments"));
  CHECK_FALSE(fileio::exists(s.source.dir / "new"));
  // An encrypted raftvault WAL is not a plaintext etcd one: importing it would seal sealed
  // records again. The real etcd WAL it came from still imports.
  const std::string sealed_wal = s.store + "/wal-v3-encrypted";
  expect_refusal(s.store, {"import", "--wal-dir", sealed_wal, "--data-dir", s.source.dir / "resealed"}, {},
                 "--wal-dir " + sealed_wal + " is not a plaintext etcd WAL (");
  CHECK_FALSE(fileio::exists(s.source.dir / "resealed"));
  CHECK(run_raftvault({"import", "--wal-dir", s.source.wal, "--data-dir", s.source.dir / "again"}).exit_code == 0);
  // unlock-key rotate on an unlocked store says how to lock it.
  const std::string plain = s.source.dir / "plain";
  REQUIRE(run_raftvault({"init", "--data-dir", plain}).exit_code == 0);
  expect_refusal(plain, {"unlock-key", "rotate", "--data-dir", plain}, {}, "raftvault autolock on --data-dir " + plain);
}

TEST_CASE("init --tls-key refuses a missing file and a file that is not a private key", "[cli][errors]") {
  temp_dir dir;
  const std::string missing_pem = dir / "missing.pem";
  auto missing = run_raftvault({"init", "--data-dir", dir / "a", "--tls-key", missing_pem});
  CHECK(missing.exit_code == 1);
  CHECK(missing.err == "raftvault: cannot read --tls-key " + missing_pem + ": open " + missing_pem +
                           ": No such file or directory\n");
  CHECK(missing.out.empty());
  CHECK_FALSE(fileio::exists(dir / "a"));
  for (const char* text : {"", "-----BEGIN PRIVATE KEY-----\n"}) {
    CAPTURE(text);
    const std::string pem = dir / "not-a-key.pem";
    write_bytes(pem, text);
    auto refused = run_raftvault({"init", "--data-dir", dir / "b", "--tls-key", pem});
    CHECK(refused.exit_code == 1);
    CHECK(one_line(refused.err));
    CHECK_THAT(refused.err, Catch::StartsWith("raftvault: cannot use --tls-key " + pem + ": "));
    CHECK(refused.out.empty());
    CHECK_FALSE(fileio::exists(dir / "b"));  // checked before anything is created
  }
}

TEST_CASE("a new unlock key that stdout does not take leaves the key file as it was", "[cli][errors]") {
  // `> /dev/full`: the key's write fails as on a full disk. Had the key file been re-wrapped
  // under that key, no key anyone holds would open the store again.
  locked_store s;
  const std::map<std::string, std::string> env{{"RAFTVAULT_UNLOCK_KEY", s.key}};
  auto before = tree_digest(s.store);
  auto rotated = run_raftvault(with_dir({"unlock-key", "rotate"}, s.store), env, "/dev/full");
  INFO(rotated.err);
  CHECK(rotated.exit_code == 1);
  CHECK(rotated.err == "raftvault: cannot write the new unlock key to stdout: the unlock key of " + s.store +
                           " was not changed\n");
  CHECK(tree_digest(s.store) == before);
  CHECK(run_raftvault(with_dir({"status"}, s.store), env).exit_code == 0);  // the old key still opens it

  const std::string unlocked = s.source.dir / "unlocked";
  REQUIRE(run_raftvault({"init", "--data-dir", unlocked}).exit_code == 0);
  before = tree_digest(unlocked);
  auto locked = run_raftvault(with_dir({"autolock", "on"}, unlocked), {}, "/dev/full");
  INFO(locked.err);
  CHECK(locked.exit_code == 1);
  CHECK(locked.err == "raftvault: cannot write the new unlock key to stdout: " + unlocked +
                          " was not locked (autolock stays off)\n");
  CHECK(tree_digest(unlocked) == before);
  CHECK(run_raftvault(with_dir({"status"}, unlocked)).exit_code == 0);  // still opens without a key
}

TEST_CASE("output that stdout does not take is a failure, not exit 0", "[cli][errors]") {
  // `raftvault dump --json > out.json` onto a full disk: a script must not take the empty or
  // cut-off file for the store's content.
  locked_store s;
  const std::map<std::string, std::string> env{{"RAFTVAULT_UNLOCK_KEY", s.key}};
  for (const auto& cmd : std::vector<std::vector<std::string>>{{"status"}, {"status", "--json"}, {"dump"},
                                                               {"dump", "--json"}, {"verify"}}) {
    const auto before = tree_digest(s.store);
    auto r = run_raftvault(with_dir(cmd, s.store), env, "/dev/full");
    INFO(cmd[0] << ": " << r.err);
    CHECK(r.exit_code == 1);
    CHECK(r.err == "raftvault: " + cmd[0] + " finished, but writing its output to stdout failed\n");
    CHECK(tree_digest(s.store) == before);
  }
}
