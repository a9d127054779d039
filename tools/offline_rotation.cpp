#include "tools/offline_rotation.h"

#include "actors/held_keys.h"
#include "fileio/crash_point.h"
#include "fileio/file.h"
#include "raftlog/encrypted_log.h"
#include "raftlog/snapshotter.h"
#include "raftlog/store_copy.h"
#include "raftlog/wal.h"

#include <algorithm>

namespace raftvault::cli {
namespace {

status remove_dir_durably(const std::string& dir, const std::string& parent) {
  if (!fileio::exists(dir)) return {};
  RV_TRY(fileio::remove_all(dir));
  return fileio::fsync_dir(parent);
}

// Puts `fresh` where `live` is, and the old contents where `fresh` was, atomically.
status swap_in(const std::string& fresh, const std::string& live, const std::string& parent) {
  if (fileio::exists(live)) {
    RV_TRY(fileio::exchange(fresh, live));
  } else {
    RV_TRY(fileio::rename(fresh, live));
  }
  return fileio::fsync_dir(parent);
}

// The segment size the store was written with: every segment is preallocated to it, and only
// a segment cut after a large save grows beyond it, so the smallest file is the setting.
std::uint64_t store_segment_size(const raftlog::store_layout& layout) {
  std::uint64_t size = 0;
  for (const auto& segment : raftlog::list_segments(layout.wal_dir()))
    if (size == 0 || segment.size_bytes < size) size = segment.size_bytes;
  return std::clamp<std::uint64_t>(size, kMinSegmentSize, kMaxSegmentSize);
}

// Every .snap file passes its checks (CRC, name). The copy keeps only the snapshot a restart
// uses and the old directories are then deleted, so a damaged file would vanish unseen; and a
// damaged newest one would silently take the store back to an older snapshot.
status check_snap_files(const raftlog::store_layout& layout) {
  raftlog::snapshotter snaps(layout.snap_dir());
  RV_ASSIGN(auto names, snaps.list());
  for (const auto& name : names) RV_TRY(snaps.load_file(name));
  return {};
}

}  // namespace

result<offline_rotation_report> rotate_dek_offline(
    offline_store& store, const std::function<void(std::uint64_t, std::uint64_t)>& progress) {
  const std::string& data_dir = store.data_dir;
  if (!store.layout.encrypted)
    return error(errc::invalid_argument, "store " + data_dir +
                                             " is not encrypted (cipher none): there is no data key to rotate");
  const std::string work = data_dir + "/" + kRotationWorkDir;
  // Whatever an earlier run left there is either an unfinished copy or the old directories.
  RV_TRY(remove_dir_durably(work, data_dir));

  // Read (and authenticate) everything first: a damaged store is refused before the key file
  // changes. The held keys ({C} or {C,P}) open it all.
  RV_TRY(check_snap_files(store.layout));
  RV_ASSIGN(auto content, raftlog::read_store(data_dir, store.codec));
  offline_rotation_report report;
  report.entries = content.entries.size();
  report.snapshot_index = content.snap ? content.snap->metadata.index : 0;
  keys::key_store& keys = *store.keys;
  report.old_generation = keys.status().current_generation;
  if (keys.pending_key()) {
    report.resumed = true;
  } else {
    RV_TRY(keys.prepare_rotation());
  }
  fileio::crash_point("rotate_dek.prepared");
  report.new_generation = *keys.status().pending_generation;
  RV_ASSIGN(auto codec, actors::codec_for(keys, store.cipher));  // seals with P

  RV_TRY(fileio::make_dir(work));
  RV_TRY(fileio::fsync_dir(data_dir));
  const raftlog::store_layout fresh{work, true};
  const raftlog::detail::copy_target target{fresh.wal_dir(), fresh.snap_dir()};
  RV_TRY(raftlog::detail::prepare_copy_target(target));
  raftlog::migration_options options;
  options.batch_entries = 256;
  options.wal.segment_size = store_segment_size(store.layout);
  options.progress = progress;
  RV_TRY(raftlog::detail::install_copy(target, content, *codec, options));
  fileio::crash_point("rotate_dek.copy_written");

  RV_TRY(swap_in(fresh.snap_dir(), store.layout.snap_dir(), data_dir));
  fileio::crash_point("rotate_dek.snap_swapped");
  RV_TRY(swap_in(fresh.wal_dir(), store.layout.wal_dir(), data_dir));
  fileio::crash_point("rotate_dek.wal_swapped");

  RV_TRY(keys.complete_rotation());
  fileio::crash_point("rotate_dek.completed");
  RV_TRY(remove_dir_durably(work, data_dir));
  fileio::crash_point("rotate_dek.cleaned");
  return report;
}

}  // namespace raftvault::cli
