// Opening a store the way every offline subcommand does: find its layout, refuse a store in
// use (another process holds keys/LOCK or the WAL's raftvault.lock), get the unlock key when the
// key file is locked (--unlock-key-file, $RAFTVAULT_UNLOCK_KEY, a prompt on a terminal — in that
// order), open the key store (which holds keys/LOCK until this object goes) and build a codec
// that opens every record the held keys can. Nothing on disk is changed; read-only, nothing is
// created either.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "codec/cipher.h"
#include "fileio/file.h"
#include "keys/key_store.h"
#include "raftlog/payload_codec.h"
#include "raftlog/store_layout.h"
#include "tools/args.h"

namespace raftvault::cli {

constexpr const char* kUnlockKeyEnv = "RAFTVAULT_UNLOCK_KEY";

struct offline_store {
  std::string data_dir;
  raftlog::store_layout layout;
  std::unique_ptr<keys::key_store> keys;  // holds keys/LOCK
  std::optional<fileio::exclusive_lock> wal_lock;
  std::shared_ptr<const raftlog::payload_codec> codec;  // seals with P if pending, else C
  // Of the newest sealed record (detect_cipher); nullopt for an encrypted store with no sealed
  // record yet. `cipher` is what this tool seals with: that one, else xchacha20poly1305.
  std::optional<codec::cipher> detected_cipher;
  codec::cipher cipher = codec::cipher::none;
};

// errc::not_found "no raftvault store in DIR ..." when there is none, or when an init or import
// has not finished it (new_store_guard.h); the real cause, naming the file, when a WAL
// directory is there but cannot be listed or one of its segments opened.
result<raftlog::store_layout> find_store(const std::string& data_dir);

// Why `wal_dir` reads as holding no segments although something is there (a file in place of
// the directory, a segment that cannot be opened): the listing's or the open's error. nullopt
// when it does not exist or reads fine. detect_layout and wal_exists take both for "no WAL".
std::optional<error> unreadable_wal(const std::string& wal_dir);

// errc::locked if another process holds the store's locks (probed, then released).
status check_not_in_use(const raftlog::store_layout& layout);

// The unlock key from the flag, the environment or a terminal prompt; nullopt when the key file
// is not locked and none was given (a variable set to "" counts as none). Without a source for
// a locked store: errc::missing_key
// "store DIR is locked: pass --unlock-key-file FILE or set RAFTVAULT_UNLOCK_KEY".
result<std::optional<keys::unlock_key>> unlock_key_for(const parsed_args& args,
                                                       const std::string& data_dir,
                                                       const std::string& keys_dir);

// `mode`: read_only for the commands that only read the store (key_store::open_mode).
result<offline_store> open_offline(const parsed_args& args, const std::string& data_dir,
                                   keys::open_mode mode);

// The cipher the store's newest sealed record (entry, else snapshot) uses; none for a plaintext
// store; nullopt for an encrypted store without a sealed record (the cipher is not recorded
// anywhere else: a writer seals with its configured raftvault.cipher).
std::optional<codec::cipher> detect_cipher(const raftlog::store_layout& layout);

// When every entry with data in the newest segment of `wal_dir` that has any is a sealed
// record (XChaCha20-Poly1305 or secretbox, as raftvault and SwarmKit write them): where the
// first one is, for an error message. An etcd WAL's payloads are never all such records.
std::optional<std::string> sealed_entries_in(const std::string& wal_dir);

}  // namespace raftvault::cli
