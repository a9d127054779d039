#include "actors/pipeline.h"

#include "actors/held_keys.h"
#include "actors/storage_state.h"
#include "actors/store_creation.h"
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

}  // namespace

result<opened_store> open_store(const pipeline_options& options, const keys::unlock_key* kek) {
  auto layout = raftlog::detect_layout(options.data_dir);
  if (!layout) {
    if (layout.error().code() == errc::not_found && options.create_if_missing)
      return create_new_store(options, log_options_of(options));
    return layout.error();
  }
  RV_TRY(forget_finished_creation(options.data_dir));
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
  storage_start start;
  start.codec = store.log->codec();
  start.layout = store.log->layout();
  start.wal = store.log->take_wal();
  start.recovered = std::move(store.recovered);
  start.keys = std::move(store.keys);
  return system.spawn(storage, options, std::move(start));
}

result<storage_actor> spawn_pipeline(caf::actor_system& system, const pipeline_options& options,
                                     const keys::unlock_key* kek) {
  RV_ASSIGN(auto store, open_store(options, kek));
  return spawn_storage(system, options, std::move(store));
}

}  // namespace raftvault::actors
