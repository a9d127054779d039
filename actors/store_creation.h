// A new store made by the service itself (create-if-missing), such that a crash at any point
// of it leaves either nothing the next start refuses, or a complete store.
//
// The WAL directory is a store's commit point (it is made last, by rename). What a creation
// makes before it (keys/ with node.key, the snap directory, the WAL's temp directory) would,
// on its own, be refused by the next start: a key file without a store may be a store whose
// WAL was lost, and its keys must never be thrown away on a guess. So the creation first makes
// DATA_DIR/.creating-store, durably, and holds it locked (flock) while it works; it removes the
// file once the WAL is in place. The next start that finds the file unlocked and no WAL knows
// that what is there is a creation that died: it removes exactly those parts and creates
// again. Found next to a WAL (the crash came after the commit point), the file is removed.
#pragma once

#include "actors/pipeline.h"
#include "raftlog/encrypted_log.h"

namespace raftvault::actors {

constexpr const char* kCreatingStoreName = ".creating-store";

// Creates the store of `options` in a data directory without a WAL, finishing off the parts a
// dead creation left. errc::locked when another process is creating a store there now;
// errc::already_exists (from the key store) when keys/ holds a key file that no creation
// journal accounts for.
result<opened_store> create_new_store(const pipeline_options& options,
                                      const raftlog::log_options& log_options);

// Removes a journal a creation left after its commit point (no-op when there is none or when
// a live creation holds it).
status forget_finished_creation(const std::string& data_dir);

}  // namespace raftvault::actors
