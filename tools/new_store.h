// Shared by init and import: the checks and key creation that start a new store, the clean-up
// when a step after it fails, and how a new unlock key is shown (alone on stdout).
#pragma once

#include <optional>
#include <string>

#include "codec/cipher.h"
#include "keys/key_store.h"
#include "keys/secret_bytes.h"
#include "tools/args.h"

namespace raftvault::cli {

struct new_store_request {
  std::string data_dir;
  codec::cipher cipher = codec::cipher::xchacha20poly1305;
  bool autolock = false;
  std::optional<keys::secret_bytes> tls_key_pem;  // --tls-key, read into guarded memory
  std::uint64_t segment_size = kDefaultSegmentSize;
};

// Parses --cipher (default xchacha20poly1305) and reads --tls-key; a bad cipher name is a usage
// error (exit code in `exit_code`), an unreadable file a refused operation.
std::optional<new_store_request> new_store_request_from(const command_spec& spec,
                                                        const parsed_args& args, int& exit_code);

// Refuses a data dir that already holds a store or a key file; creates the data dir (0700) if
// missing (`created_data_dir` says so) and the key store (DEK generation 1, a new unlock key
// with autolock).
result<keys::key_store> create_new_keys(const new_store_request& request, bool& created_data_dir);

// Best effort after a failure: removes what this run created, leaving the directory as it was.
void discard_new_store(const std::string& data_dir, bool created_data_dir);

// The key alone on stdout; the advice for people on stderr.
void show_new_unlock_key(const keys::unlock_key& key, const std::string& data_dir);

}  // namespace raftvault::cli
