// Spawning the whole pipeline from a config, and a blocking wrapper for programs that do not
// use CAF themselves (the CLI, tests, benches of the blocking path).
#pragma once

#include <future>
#include <memory>
#include <optional>

#include <caf/actor_system.hpp>

#include "actors/config.h"
#include "actors/key_rotator.h"
#include "actors/storage.h"
#include "keys/key_store.h"
#include "keys/unlock_key.h"

namespace raftvault::actors {

// An opened store, not yet running: spawn_storage takes it apart (the WAL to the WAL writer,
// the codec, layout, recovered state and keys to the storage), and until then the caller may
// write through `log` itself (tests, tools preparing a store).
struct opened_store {
  std::unique_ptr<raftlog::encrypted_log> log;
  recovered_state recovered;
  std::shared_ptr<keys::key_store> keys;
  std::optional<keys::unlock_key> new_unlock_key;  // created with autolock: show it once
};

// Opens the store in data-dir (creating it when create-if-missing is set and there is none),
// blocking, in the caller's thread. The unlock key comes from `kek`, else unlock-key-file.
result<opened_store> open_store(const pipeline_options& options,
                                const keys::unlock_key* kek = nullptr);

// Spawns storage (which spawns and links the WAL writer, snapshot writer, crypto pool and key
// rotator) over an opened store.
storage_actor spawn_storage(caf::actor_system& system, const pipeline_options& options,
                            opened_store store);

// open_store + spawn_storage.
result<storage_actor> spawn_pipeline(caf::actor_system& system, const pipeline_options& options,
                                     const keys::unlock_key* kek = nullptr);

// An append submitted without waiting for it (blocking_storage::submit): wait() blocks until
// it is durable, or says why it was refused. Threads that submit under their own ordering
// lock and wait outside it share the WAL's fdatasyncs (docs/embedding.md).
class append_ticket {
 public:
  // Once: the last durable index, or the error.
  result<std::uint64_t> wait();

 private:
  friend class blocking_storage;
  std::future<result<std::uint64_t>> answer_;
};

// Owns an actor system and the pipeline; every call blocks until the reply. Destruction closes
// the store and stops every actor before the system (a handle outliving its actor system
// would block the system's destructor).
class blocking_storage {
 public:
  // `config` must declare the raftvault options: a pipeline_config (or a subclass of it).
  static result<std::unique_ptr<blocking_storage>> open(std::unique_ptr<caf::actor_system_config> config,
                                                        const keys::unlock_key* kek = nullptr);
  static result<std::unique_ptr<blocking_storage>> open(const pipeline_options& options,
                                                        const keys::unlock_key* kek = nullptr);
  ~blocking_storage();

  result<recovered_state> recover();
  result<std::uint64_t> append(hard_state state, std::vector<entry> entries);
  // Hands the append to the storage and returns at once. Appends submitted from one thread
  // reach the storage in submission order; across threads, in the order their submit calls
  // ran (serialise the submits where the order matters, as raft's indexes do).
  append_ticket submit(hard_state state, std::vector<entry> entries);
  result<std::uint64_t> save_snapshot(snapshot snap);
  status release_to(std::uint64_t index);
  result<rotation_report> rotate_dek();
  result<bool> rotate_kek(const std::string& unlock_key_text, std::uint64_t version);
  result<std::string> set_autolock(bool on);
  result<storage_status> status_report();
  void register_snapshot_provider(snapshot_provider_actor provider);
  ::raftvault::status close();

  caf::actor_system& system() { return *system_; }
  const storage_actor& handle() const { return storage_; }
  const std::optional<keys::unlock_key>& new_unlock_key() const { return new_unlock_key_; }

 private:
  blocking_storage() = default;
  template <class T, class... Ts>
  result<T> call(Ts&&... xs);

  std::unique_ptr<caf::actor_system_config> config_;
  std::unique_ptr<caf::actor_system> system_;
  storage_actor storage_;
  caf::actor submitter_;  // forwards submit()'s appends and fulfils their tickets
  std::optional<keys::unlock_key> new_unlock_key_;
  bool closed_ = false;
};

}  // namespace raftvault::actors
