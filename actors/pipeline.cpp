#include "actors/pipeline.h"

#include "actors/held_keys.h"
#include "actors/storage_state.h"
#include "keys/unlock_key_source.h"

namespace raftvault::actors {

namespace {

raftlog::log_options log_options_of(const pipeline_options& options) {
  raftlog::log_options out;
  out.wal.segment_size = options.segment_size;
  out.wal.etcd_cut_lag = false;  // cut as soon as a segment is full; etcd reads any boundary
  out.wal.direct_io = options.wal_direct_io;
  out.snapshot_keep = options.snapshot_keep;
  return out;
}

result<opened_store> create_store(const pipeline_options& options) {
  opened_store out;
  const raftlog::store_layout layout{options.data_dir, options.cipher != codec::cipher::none};
  RV_TRY(fileio::make_dir(options.data_dir));
  keys::create_options key_options;
  key_options.autolock = options.autolock;
  RV_ASSIGN(auto store, keys::key_store::create(layout.keys_dir(), key_options));
  if (store.kek()) {
    RV_ASSIGN(auto copy, store.kek()->clone());
    out.new_unlock_key = std::move(copy);
  }
  out.keys = std::make_shared<keys::key_store>(std::move(store));
  RV_ASSIGN(auto codec, codec_for(*out.keys, options.cipher));
  RV_ASSIGN(auto log, raftlog::encrypted_log::create(options.data_dir, options.metadata, codec,
                                                     log_options_of(options)));
  out.log = std::move(log);
  out.recovered.metadata = options.metadata;
  return out;
}

}  // namespace

result<opened_store> open_store(const pipeline_options& options, const keys::unlock_key* kek) {
  auto layout = raftlog::detect_layout(options.data_dir);
  if (!layout) {
    if (layout.error().code() == errc::not_found && options.create_if_missing)
      return create_store(options);
    return layout.error();
  }
  std::optional<keys::unlock_key> from_file;
  if (kek == nullptr && !options.unlock_key_file.empty()) {
    RV_ASSIGN(auto read, keys::read_unlock_key_file(options.unlock_key_file));
    from_file = std::move(read);
    kek = &*from_file;
  }
  opened_store out;
  RV_ASSIGN(auto store, keys::key_store::open(layout->keys_dir(), kek));
  out.keys = std::make_shared<keys::key_store>(std::move(store));
  auto cipher = codec::cipher::none;
  if (layout->encrypted)
    cipher = options.cipher == codec::cipher::none ? codec::cipher::xchacha20poly1305 : options.cipher;
  RV_ASSIGN(auto codec, codec_for(*out.keys, cipher));
  RV_ASSIGN(auto log, raftlog::encrypted_log::open(options.data_dir, codec, out.recovered,
                                                   log_options_of(options)));
  out.log = std::move(log);
  return out;
}

storage_actor spawn_storage(caf::actor_system& system, const pipeline_options& options,
                            opened_store store) {
  return system.spawn(storage, options, std::move(store.log), std::move(store.recovered),
                      std::move(store.keys));
}

result<storage_actor> spawn_pipeline(caf::actor_system& system, const pipeline_options& options,
                                     const keys::unlock_key* kek) {
  RV_ASSIGN(auto store, open_store(options, kek));
  return spawn_storage(system, options, std::move(store));
}

}  // namespace raftvault::actors
