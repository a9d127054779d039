// Writing through an encrypted log: seal, then hand the sealed records to the WAL/snapshotter.
//
// save_snapshot is a multi-step durable operation; the crash points name each boundary:
//   seal -> .snap written durably            "encrypted_log.snapshot_saved"
//        -> WAL snapshot record (fsynced)    "encrypted_log.snapshot_marker_saved"
//        -> hard state commit >= index       "encrypted_log.snapshot_state_saved"
//        -> older segments released          "encrypted_log.segments_released"
//        -> old .snap files collected.
// A crash before the state record leaves a .snap and marker that restart ignores (etcd's
// ValidSnapshotEntries wants commit >= index), so restart reads the previous snapshot and the
// full log; after it, restart uses the new snapshot. Nothing is lost at any boundary.
#include <algorithm>

#include "codec/error.h"
#include "fileio/crash_point.h"
#include "raftlog/encrypted_log_internal.h"
#include "raftlog/sealing_hook.h"

namespace raftvault::raftlog {

encrypted_log::encrypted_log(std::unique_ptr<impl> state) : impl_(std::move(state)) {}

encrypted_log::~encrypted_log() {
  if (impl_ && !impl_->closed) (void)close();
}

namespace {

status usable(bool open, const store_layout& layout, const payload_codec* codec) {
  if (!open) return error(errc::closed, "encrypted log " + layout.data_dir + " is closed");
  if (codec == nullptr || codec->encrypted() != layout.encrypted) {
    return error(errc::invalid_argument, "encrypted log " + layout.data_dir +
                                             ": the codec's cipher does not match the store's "
                                             "layout (" + layout.wal_dir() + ")");
  }
  return {};
}

}  // namespace

status encrypted_log::save(const hard_state& state, const std::vector<entry>& plain) {
  RV_TRY(usable(!impl_->closed && impl_->log, impl_->layout, impl_->codec.get()));
  if (impl_->codec->encrypted()) {
    // Sealed while framed; the WAL frames the whole batch before writing: all or nothing.
    auto hook = sealing_hook::make(impl_->codec, plain.size());
    if (!hook) return hook.error().with_context("save to " + impl_->layout.wal_dir());
    auto saved = impl_->log->save(state, plain, **hook);
    if (!saved && (*hook)->failed())
      return saved.error().with_context("save to " + impl_->layout.wal_dir());
    RV_TRY(std::move(saved));
  } else {
    RV_TRY(impl_->log->save(state, plain));
  }
  if (!state.empty()) impl_->last_state = state;
  return {};
}

status encrypted_log::save_snapshot(const snapshot& plain) {
  RV_TRY(usable(!impl_->closed && impl_->log, impl_->layout, impl_->codec.get()));
  const snapshot_marker marker = plain.marker();
  if (marker.index == 0) {
    return error(errc::invalid_argument, "save snapshot to " + impl_->layout.data_dir +
                                             ": a snapshot at index 0 is never written");
  }
  if (impl_->last_snapshot && marker.index < impl_->last_snapshot->index) {
    return error(errc::invalid_argument,
                 "save snapshot to " + impl_->layout.data_dir + ": index " +
                     std::to_string(marker.index) + " is older than the current snapshot at " +
                     std::to_string(impl_->last_snapshot->index));
  }
  auto sealed = impl_->codec->seal_snapshot(plain);
  if (!sealed) return sealed.error().with_context("save snapshot to " + impl_->layout.snap_dir());

  RV_TRY(impl_->snaps.save(*sealed));
  fileio::crash_point("encrypted_log.snapshot_saved");
  RV_TRY(impl_->log->save_snapshot(marker));
  fileio::crash_point("encrypted_log.snapshot_marker_saved");

  // etcd's restart ignores a snapshot beyond the persisted commit. A commit-only change is not
  // synced by save() (raft's MustSync), hence the explicit sync.
  if (impl_->last_state.commit < marker.index) {
    hard_state covering = impl_->last_state;
    covering.commit = marker.index;
    // Not behind the snapshot's own term (a store with no hard state saved yet has term 0),
    // as the actor pipeline's covering state.
    covering.term = std::max(covering.term, marker.term);
    RV_TRY(impl_->log->append(covering, {}));
    RV_TRY(impl_->log->sync());
    impl_->last_state = covering;
  }
  fileio::crash_point("encrypted_log.snapshot_state_saved");
  impl_->last_snapshot = marker;

  RV_TRY(impl_->log->release_to(marker.index));
  fileio::crash_point("encrypted_log.segments_released");
  return impl_->snaps.gc(impl_->options.snapshot_keep, marker);
}

void encrypted_log::set_codec(std::shared_ptr<const payload_codec> codec) {
  impl_->codec = std::move(codec);
}

const std::shared_ptr<const payload_codec>& encrypted_log::codec() const { return impl_->codec; }

wal& encrypted_log::log() { return *impl_->log; }

std::unique_ptr<wal> encrypted_log::take_wal() {
  impl_->closed = true;
  return std::move(impl_->log);
}
snapshotter& encrypted_log::snapshots() { return impl_->snaps; }
const store_layout& encrypted_log::layout() const { return impl_->layout; }
hard_state encrypted_log::last_state() const { return impl_->last_state; }
std::optional<snapshot_marker> encrypted_log::last_snapshot() const { return impl_->last_snapshot; }

status encrypted_log::close() {
  if (impl_->closed) return {};
  impl_->closed = true;
  if (!impl_->log) return {};
  return impl_->log->close();
}

}  // namespace raftvault::raftlog
