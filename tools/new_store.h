// Shared by init and import: the checks and key creation that start a new store, the clean-up
// when a later step fails (new_store_guard: only what the run created goes), and how a new
// unlock key is shown (alone on stdout).
#pragma once

#include <optional>
#include <string>

#include "codec/cipher.h"
#include "keys/key_store.h"
#include "keys/secret_bytes.h"
#include "tools/args.h"
#include "tools/new_store_guard.h"

namespace raftvault::cli {

struct new_store_request {
  std::string data_dir;
  codec::cipher cipher = codec::cipher::xchacha20poly1305;
  bool autolock = false;
  std::optional<keys::secret_bytes> tls_key_pem;  // --tls-key, read into guarded memory
  std::uint64_t segment_size = kDefaultSegmentSize;
};

// Parses --cipher (default xchacha20poly1305) and reads and checks --tls-key; a bad cipher name
// is a usage error (exit code in `exit_code`), an unreadable file or one that is not an
// unencrypted PEM private key a refused operation, as is --autolock with stdout closed. Nothing
// is created on disk.
std::optional<new_store_request> new_store_request_from(const command_spec& spec,
                                                        const parsed_args& args, int& exit_code);

// First removes what a killed init or import left there (.unfinished-store, saying so on
// stderr). Refuses a data dir that already holds a store or a key file, or is not a directory;
// then records what it holds, creates it (0700) if missing and writes .unfinished-store for
// `command`. From here on every failure goes through fail_new_store (or at least drops the
// guard), success through keep_new_store_with_key.
result<new_store_guard> start_new_store(const std::string& data_dir, const std::string& command);

// The key store: DEK generation 1, a new unlock key with autolock. When another process turns
// out to be creating a store in the same directory (keys/LOCK held, or a key file appeared),
// the guard is disowned.
result<keys::key_store> create_new_keys(const new_store_request& request, new_store_guard& guard);

// Removes what the run created and reports `message` (one line, exit kExitRefused); a failed
// removal is added to that line, naming what is left.
int fail_new_store(new_store_guard& guard, const std::string& message);

// errc::invalid_argument when the program started with stdout closed (`>&-`): a new unlock key
// would have nowhere to go, so a command that makes one refuses before it changes anything.
status check_stdout_takes_new_key();

// The key alone on stdout, flushed. errc::io when stdout does not take it: the key is lost.
status write_new_unlock_key(const keys::unlock_key& key);
// Where the key went and how commands read it (stderr).
void note_new_unlock_key(const std::string& data_dir);

// The last step of init and import: writes the new unlock key (with autolock), then marks the
// store complete (guard.finish()). When stdout does not take the key the store could never be
// opened: it is removed and that reported (kExitRefused). kExitOk otherwise; the caller then
// notes success.
int keep_new_store_with_key(new_store_guard& guard, const keys::key_store& keys);

// After keep: a data dir that existed keeps the mode it had (0755 under the usual umask), so
// the new store is made private (permission_notes.h).
void make_new_store_private(const new_store_request& request);

}  // namespace raftvault::cli
