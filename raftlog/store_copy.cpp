// The write side of migration. Happy path: clean leftovers -> build the snap and WAL copies in
// `<dest>.migrating` (the snap copy carries an in-progress marker file) -> fsync -> rename the
// snap directory, then the WAL directory (the commit point) -> fsync parents -> drop the marker.
// Failure modes: any error before the WAL rename leaves the source as the only store (the temp
// directories are removed by the next attempt); after it the new store is complete.
#include "raftlog/store_copy.h"

#include <algorithm>

#include "fileio/crash_point.h"
#include "fileio/file.h"
#include "raftlog/wal_format.h"

namespace raftvault::raftlog::detail {
namespace {

// Present in a snap directory only between its rename and the WAL's: marks a directory that an
// interrupted copy left without its WAL. etcd skips files without the .snap suffix.
constexpr const char* kIncompleteMarker = ".raftvault-copy-incomplete";
constexpr const char* kTempSuffix = ".migrating";

std::string marker_path(const std::string& snap_dir) { return snap_dir + "/" + kIncompleteMarker; }

status remove_if_present(const std::string& path) {
  if (!fileio::exists(path)) return {};
  RV_TRY(fileio::remove_all(path));
  return fileio::fsync_dir(fileio::parent_dir(path));
}

status write_snap_copy(const std::string& dir, const recovered_state& content,
                       const payload_codec& sealer) {
  RV_TRY(fileio::make_dir(dir));
  RV_TRY(fileio::write_file_atomic(marker_path(dir), "raftvault copy in progress\n"));
  if (content.snap) {
    RV_ASSIGN(snapshot sealed, sealer.seal_snapshot(*content.snap));
    RV_TRY(snapshotter(dir).save(sealed));  // temp, fsync, rename, directory fsync
  }
  RV_TRY(fileio::fsync_dir(dir));
  return fileio::fsync_dir(fileio::parent_dir(dir));
}

status write_wal_copy(const std::string& dir, bool keep_raftvault_files, const recovered_state& content,
                      const payload_codec& sealer, const migration_options& options) {
  // wal::create builds `dir`.tmp and renames it: a crash leaves one of two temp names.
  RV_ASSIGN(auto log, wal::create(dir, content.metadata, options.wal));
  hard_state state = content.state;
  if (content.snap) {
    // etcd's order: a hard state covering the snapshot precedes its marker, so the snapshot
    // stays usable whatever happens to the records after it.
    hard_state covering = state;
    covering.commit = content.snap->metadata.index;
    covering.term = std::max(covering.term, content.snap->metadata.term);
    RV_TRY(log->append(covering, {}));
    RV_TRY(log->save_snapshot(content.snap->marker()));
    state.commit = std::max(state.commit, covering.commit);
    state.term = covering.term;
  }
  const std::size_t batch = options.batch_entries == 0 ? 1 : options.batch_entries;
  for (std::size_t begin = 0; begin < content.entries.size(); begin += batch) {
    const std::size_t end = std::min(content.entries.size(), begin + batch);
    std::vector<entry> plain(content.entries.begin() + begin, content.entries.begin() + end);
    RV_ASSIGN(auto sealed, sealer.seal_entries(plain));
    RV_TRY(log->append(hard_state{}, sealed));
    if (options.progress) options.progress(end, content.entries.size());
  }
  RV_TRY(log->append(state, {}));
  RV_TRY(log->sync());
  RV_TRY(log->close());
  // The lock file is this copy's own (wal::create made it in a fresh temp directory that nobody
  // else uses) and close() released the lock, so it can go before the rename makes `dir` public.
  if (!keep_raftvault_files) {
    RV_TRY(fileio::unlink(dir + "/" + kLockFileName));
    RV_TRY(fileio::unlink(dir + "/" + kEndFileName));
  }
  RV_TRY(fileio::fsync_dir(dir));
  return fileio::fsync_dir(fileio::parent_dir(dir));
}

}  // namespace

std::vector<std::string> interrupted_copy_leftovers(const copy_target& target) {
  std::vector<std::string> found;
  const std::string temp_wal = target.wal_dir + kTempSuffix;
  for (const std::string& temp : {temp_wal, temp_wal + ".tmp", target.snap_dir + kTempSuffix}) {
    if (fileio::exists(temp)) found.push_back(temp);
  }
  if (!fileio::exists(target.wal_dir) && fileio::exists(marker_path(target.snap_dir))) {
    found.push_back(target.snap_dir);
  }
  return found;
}

status prepare_copy_target(const copy_target& target) {
  for (const auto& leftover : interrupted_copy_leftovers(target)) RV_TRY(remove_if_present(leftover));
  if (fileio::exists(target.wal_dir)) {  // with or without segments
    // A copy that crashed after its commit point: finish its last step, then refuse.
    if (fileio::exists(marker_path(target.snap_dir))) {
      RV_TRY(fileio::unlink(marker_path(target.snap_dir)));
      RV_TRY(fileio::fsync_dir(target.snap_dir));
    }
    return error(errc::already_exists, target.wal_dir + " already exists");
  }
  if (!fileio::exists(target.snap_dir)) return {};
  RV_ASSIGN(const bool empty, fileio::is_empty_dir(target.snap_dir));
  if (empty) return remove_if_present(target.snap_dir);
  return error(errc::already_exists,
               target.snap_dir + " already exists and holds files (not left by an interrupted copy)");
}

status install_copy(const copy_target& target, const recovered_state& content,
                    const payload_codec& sealer, const migration_options& options) {
  const std::string temp_wal = target.wal_dir + kTempSuffix;
  const std::string temp_snap = target.snap_dir + kTempSuffix;
  auto written = [&]() -> status {
    RV_TRY(write_snap_copy(temp_snap, content, sealer));
    return write_wal_copy(temp_wal, target.keep_raftvault_files, content, sealer, options);
  }();
  if (!written) {
    // Best effort: the next attempt removes them otherwise.
    (void)remove_if_present(temp_wal);
    (void)remove_if_present(temp_wal + ".tmp");
    (void)remove_if_present(temp_snap);
    return written;
  }
  fileio::crash_point("migration.temp_written");

  RV_TRY(fileio::rename(temp_snap, target.snap_dir));
  RV_TRY(fileio::fsync_dir(fileio::parent_dir(target.snap_dir)));
  fileio::crash_point("migration.snap_renamed");
  RV_TRY(fileio::rename(temp_wal, target.wal_dir));
  RV_TRY(fileio::fsync_dir(fileio::parent_dir(target.wal_dir)));
  fileio::crash_point("migration.wal_renamed");
  RV_TRY(fileio::unlink(marker_path(target.snap_dir)));
  RV_TRY(fileio::fsync_dir(target.snap_dir));
  fileio::crash_point("migration.marker_removed");
  return {};
}

}  // namespace raftvault::raftlog::detail
