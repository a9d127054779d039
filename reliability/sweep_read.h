// How the corruption sweep reads a (damaged) store: the way a restart does — the key file
// through keys::key_store, the log through raftlog::read_store with the codec the keys give —
// and how it judges what it read against the undamaged store's reference.
//
// Every outcome is one of: identical (the damaged byte was unused), a torn tail a restart
// repairs with nothing acknowledged lost, a newer damaged snapshot skipped by name with nothing
// lost, or a refusal naming a file of the store. Anything else — a store that opens with other
// content — is a silent difference, the violation this campaign looks for.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "codec/cipher.h"
#include "codec/error.h"
#include "keys/dek.h"
#include "keys/key_store.h"
#include "keys/unlock_key.h"
#include "raftlog/encrypted_log.h"
#include "raftlog/payload_codec.h"

namespace raftvault::reliability {

// What the key file yields: its state, copies of its keys (guarded memory) and the codec.
struct key_material {
  keys::key_status status;
  std::vector<keys::dek> deks;  // current, then pending
  keys::secret_bytes tls_key;   // PKCS#8 DER
  std::shared_ptr<const raftlog::payload_codec> codec;
};

result<key_material> open_keys(const std::string& data_dir, const keys::unlock_key* kek,
                               codec::cipher cipher);
// Empty when both hold the same state and keys; else what differs.
std::string key_difference(const key_material& reference, const key_material& got);

struct store_reading {
  std::optional<error> failure;     // the read was refused
  raftlog::recovered_state content;
  std::string torn;                 // the last segment ends in a torn tail: the decoder's words
};

store_reading read_as_restart(const std::string& data_dir,
                              const std::shared_ptr<const raftlog::payload_codec>& codec);

// Empty when equal; else the first differences, in words.
std::string content_difference(const raftlog::recovered_state& reference,
                               const raftlog::recovered_state& got);

struct verdict {
  std::string outcome_class;  // the summary table's row
  std::string outcome;        // this case's details
  bool ok = true;
};

// `text` with `store_dir` replaced by "<store>", so that outcomes read the same in every run.
std::string relative(std::string text, const std::string& store_dir);

// `store_dir` is the directory read: a refusal must name a file in it.
verdict judge(const raftlog::recovered_state& reference, const store_reading& got,
              const std::string& store_dir);
verdict refused(const error& failure, const std::string& store_dir);

}  // namespace raftvault::reliability
