// The key store of one node: DATA_DIR/keys (0700) with node.key (0600) and node.crt. This is
// the API the raftlog, actors and CLI layers use (docs/keys.md):
//
//   auto store = key_store::create(dir, {/*autolock=*/false});      // or open(dir, &kek)
//   codec::seal(cipher, store->current_key(), plaintext, place);      // sealing key
//   codec::open(store->key_set(), record, place);                     // {C} or {C, P}
//   store->request_rotation(); store->prepare_rotation(); ...; store->complete_rotation();
//
// Every change is one atomic replace of node.key (temp 0600, write, fsync, rename, fsync dir):
// a failure or crash leaves the previous state on disk and in memory — except a failure of the
// final directory fsync, after which the file already holds the new state: then the call still
// fails, but status() and kek() describe the new state (a new unlock key is never lost).
// A store holds an exclusive lock on DATA_DIR/keys/LOCK while it lives.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "codec/cipher.h"
#include "fileio/file.h"
#include "keys/key_file.h"
#include "keys/secret_bytes.h"
#include "keys/unlock_key.h"

namespace raftvault::keys {

struct create_options {
  bool autolock = false;                    // lock with a fresh unlock key (store.kek())
  // Unencrypted PEM private key (secret, so in guarded memory); default: a new EC P-256 key.
  std::optional<secret_bytes> tls_key_pem;
  std::optional<std::string> tls_cert_pem;  // written to node.crt; must match the key
};

// read_write: the service and the commands that change the store. read_only: the readers
// (status, dump, verify, export), which create and remove nothing in the store: keys/LOCK is
// taken only when it exists, a leftover node.key.tmp stays, a staged node.crt.next is checked
// but not installed, and every call that would write the key file is refused.
enum class open_mode { read_write, read_only };

// docs/keys.md, "DEK rotation states": {C}, {C,F}, {C,P}, {C,P,F}.
enum class rotation_state { steady, requested, pending, pending_and_requested };
std::string_view to_string(rotation_state s);

struct key_status {
  bool locked = false;
  std::uint64_t kek_version = 0;
  std::uint32_t current_generation = 0;
  std::optional<std::uint32_t> pending_generation;
  bool needs_rotation = false;  // F
  rotation_state state = rotation_state::steady;
  // Whether node.key carries its keyless digest (key_file.h); one written before digests
  // existed gets it at its next write.
  bool has_digest = true;
};

class key_store {
 public:
  static constexpr const char* kKeyFileName = "node.key";
  static constexpr const char* kCertFileName = "node.crt";

  // Creates `keys_dir` (0700, its name fsynced in the parent) and node.key with DEK
  // generation 1. errc::already_exists if a key file is there.
  static result<key_store> create(const std::string& keys_dir, const create_options& options);
  // Opens an existing store. `kek` is required (missing_key otherwise) when the file is locked
  // and ignored when it is not. Refuses a directory or key file open to group/others.
  static result<key_store> open(const std::string& keys_dir, const unlock_key* kek = nullptr,
                                open_mode mode = open_mode::read_write);
  // Whether the key file is locked, without a key (the CLI uses it to decide to prompt).
  static result<bool> is_locked(const std::string& keys_dir);

  key_store(key_store&&) noexcept = default;
  key_store& operator=(key_store&&) noexcept = default;

  const std::string& dir() const { return dir_; }
  std::string key_path() const { return dir_ + "/" + kKeyFileName; }
  // The file a replace of node.key writes: node.key, or the file it is a symbolic link to (the
  // link stays, its target gets the new state).
  std::string key_target_path() const;
  std::string cert_path() const { return dir_ + "/" + kCertFileName; }
  key_status status() const;

  // Borrowed views for codec::seal/open, valid until the next rotation call on this store.
  codec::key_ref current_key() const { return contents_.current.ref(); }
  std::optional<codec::key_ref> pending_key() const;
  std::vector<codec::key_ref> key_set() const;  // current, then pending if any
  const unlock_key* kek() const { return kek_ ? &*kek_ : nullptr; }

  // DEK rotation (each one atomic write). request: set F (no write if already set).
  // prepare: new P = C.generation + 1, clear F; invalid_argument if P exists.
  // complete: C := P, F kept; invalid_argument without P.
  ::raftvault::status request_rotation();
  ::raftvault::status prepare_rotation();
  ::raftvault::status complete_rotation();

  // The version a new unlock key installs with: kek-version + 1. invalid_argument when the
  // file holds the largest one (2^64 - 1): no newer key can be installed over it.
  result<std::uint64_t> next_kek_version() const;
  // A new unlock key, kek-version + 1, everything re-wrapped in one replace. invalid_argument
  // when autolock is off (there is no unlock key to rotate) or at the largest kek-version.
  result<unlock_key> rotate_kek();
  // Installs an unlock key distributed with a version (null = unlocked). A version below the
  // file's is ignored (returns false); the same version with a different key is
  // invalid_argument; a newer one re-wraps (returns true). Unlocked → locked also requests a
  // DEK rotation, because the old DEK was stored unwrapped.
  result<bool> update_kek(const unlock_key* kek, std::uint64_t version);
  // Autolock on: generate an unlock key (returned), request a DEK rotation. Off: unwrap, no
  // DEK rotation (returns nullopt). No change (nullopt) when already in that mode. Both take
  // kek-version + 1 (invalid_argument at the largest).
  result<std::optional<unlock_key>> set_autolock(bool on);

  // The TLS key as unencrypted PKCS#8 PEM, in guarded memory.
  result<secret_bytes> tls_key_pem() const;
  const secret_bytes& tls_key_der() const { return contents_.tls_key; }
  // node.crt's contents; errc::not_found when there is none.
  result<std::string> tls_certificate_pem() const;
  // Replaces certificate and key together (crash-safe: node.crt.next is staged first and a
  // restart finishes or discards it). The certificate must match the key.
  ::raftvault::status replace_tls(std::string_view cert_pem, std::string_view key_pem);

 private:
  key_store() = default;
  // Writes `next` under `next_kek` and adopts both on success only.
  ::raftvault::status persist(key_file_contents next, std::optional<unlock_key> next_kek);
  // A DEK rotation step: applies `change` to the contents in place, writes them under the
  // KEK in force, and applies `undo` unless the file now holds them. No key is copied: each
  // copy is a guarded allocation (mmap, mprotect, mlock, munmap), and every munmap or
  // mprotect sends a TLB-shootdown interrupt to the other CPUs the append path runs on.
  ::raftvault::status persist_change(const std::function<void(key_file_contents&)>& change,
                                     const std::function<void(key_file_contents&)>& undo);
  // invalid_argument when opened read-only.
  ::raftvault::status writable() const;
  // Replaces the key file with `text`; `replaced` says whether the file holds it, also after
  // a failure (one after the rename: the error says it may not be durable).
  ::raftvault::status replace_file(const std::string& text, bool& replaced);
  result<key_file_contents> copy_contents() const { return contents_.clone(); }
  result<std::optional<unlock_key>> current_kek_copy() const;
  // Finishes or discards a staged node.crt.next (read-write), then checks node.crt matches the
  // key; read-only, a staged certificate that matches the key is the one in force.
  ::raftvault::status recover_certificate();

  // encode_tls_key_block(contents_.tls_key, kek_), made once: a DEK rotation persists the key
  // file three times and neither the TLS key nor the KEK changes.
  result<const secret_bytes*> tls_key_block_for(const key_file_contents& next,
                                                const std::optional<unlock_key>& next_kek);

  std::string dir_;
  fileio::exclusive_lock lock_;
  key_file_contents contents_;
  std::optional<unlock_key> kek_;
  std::optional<secret_bytes> tls_key_block_;  // of contents_.tls_key under kek_, once made
  bool has_digest_ = true;                     // of the file as read or last written
  bool read_only_ = false;
};

}  // namespace raftvault::keys
