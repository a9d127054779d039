// The small stores the corruption sweep damages, each built once per run:
//   CLI-written   `raftvault import` of the golden etcd 3.4 vectors (--cipher none, secretbox,
//                 xchacha20poly1305 unlocked and --autolock), `raftvault init` (empty store);
//                 --segment-size 65536 (the minimum), so the log has more than one segment
//   pipeline      blocking_storage (the actor pipeline) appending batches, two snapshots,
//                 older segments released, XChaCha20 locked and plaintext
// and their reference: what a restart reads from them undamaged.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "codec/error.h"
#include "keys/unlock_key.h"
#include "reliability/campaign.h"
#include "reliability/sweep_read.h"

namespace raftvault::reliability {

struct sweep_store {
  std::string name;             // "cli-xchacha-locked"
  std::string dir;              // the undamaged store: never changed after it was built
  codec::cipher cipher = codec::cipher::none;
  std::shared_ptr<keys::unlock_key> kek;  // locked stores only
  std::string unlock_key_file;  // the same key for the CLI (0600), locked stores only
  key_material keys;            // the reference key file contents
  raftlog::recovered_state reference;
  std::string reference_dump;   // `raftvault dump --json` of the undamaged store
};

// `names`: which stores to build (all of them when empty).
result<std::vector<sweep_store>> build_stores(const campaign_options& options,
                                              const std::vector<std::string>& names);

// `raftvault <args> --data-dir DIR` with the store's unlock key file when it is locked.
std::vector<std::string> cli_args(const sweep_store& store, const std::string& dir,
                                  std::vector<std::string> args);

}  // namespace raftvault::reliability
