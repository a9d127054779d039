#include "raftlog/snapshotter.h"

#include <fcntl.h>

#include <algorithm>

#include "fileio/crash_point.h"
#include "fileio/file.h"
#include "keys/string_affix.h"
#include "raftlog/snap_file.h"

namespace raftvault::raftlog {
namespace {

bool is_allowed(const snapshot_marker& marker, const std::vector<snapshot_marker>& allowed) {
  return std::find(allowed.begin(), allowed.end(), marker) != allowed.end();
}

std::string describe(const snapshot_marker& m) {
  return "{index " + std::to_string(m.index) + ", term " + std::to_string(m.term) + "}";
}

}  // namespace

std::string snapshotter::file_name(const snapshot_marker& marker) { return snap_file_name(marker); }

status snapshotter::save(const snapshot& snap) {
  if (snap.metadata.index == 0) return {};
  if (!dir_durable_) {
    RV_TRY(fileio::make_dir_durable(dir_));
    dir_durable_ = true;
  }
  const std::string final_path = path_of(file_name(snap.marker()));
  const std::string temp_path = final_path + std::string(kSnapTempSuffix);
  const std::string bytes = encode_snap_file(snap);

  // A stale temp file from a crash is replaced; unlinking it first makes O_EXCL give the new
  // file our mode instead of whatever the old one had.
  if (fileio::exists(temp_path)) RV_TRY(fileio::unlink(temp_path));
  auto written = [&]() -> status {
    RV_ASSIGN(auto f, fileio::file::open(temp_path, O_WRONLY | O_CREAT | O_EXCL,
                                         fileio::kPrivateFileMode));
    RV_TRY(f.write_all(bytes));
    RV_TRY(f.fsync());
    return f.close();
  }();
  if (!written) {
    (void)fileio::unlink(temp_path);  // best effort: gc removes it otherwise
    return written.error().with_context("save snapshot " + final_path);
  }
  fileio::crash_point("snapshot.before_rename");
  if (auto renamed = fileio::rename(temp_path, final_path); !renamed) {
    (void)fileio::unlink(temp_path);
    return renamed.error().with_context("save snapshot");
  }
  fileio::crash_point("snapshot.after_rename");
  // The rename is not durable until the directory is: report failure so the caller does not
  // record the snapshot in the WAL.
  if (auto synced = fileio::fsync_dir(dir_); !synced)
    return synced.error().with_context("save snapshot " + final_path);
  return {};
}

result<snapshot> snapshotter::load_file(const std::string& name) const {
  const std::string path = path_of(name);
  RV_ASSIGN(auto bytes, fileio::read_file(path));
  RV_ASSIGN(auto snap, decode_snap_file(bytes, path));
  if (auto named = parse_snap_file_name(name); named && !(*named == snap.marker()))
    return error(errc::corruption, path + ": holds snapshot " + describe(snap.marker()) +
                                       " but its name says " + describe(*named));
  return snap;
}

result<snapshot> snapshotter::load_newest_available(
    const std::vector<snapshot_marker>& allowed,
    const std::function<status(const snapshot&)>& accept) const {
  RV_ASSIGN(auto names, list());
  std::size_t broken = 0;
  for (const auto& name : names) {
    auto marker = parse_snap_file_name(name);
    if (!marker || !is_allowed(*marker, allowed)) continue;
    auto loaded = load_file(name);
    if (!loaded) {
      if (loaded.error().code() != errc::corruption) return loaded.error();
      // etcd's renameBroken: keep the bytes for inspection, never read them again.
      const std::string path = path_of(name);
      RV_TRY(fileio::rename(path, path + std::string(kSnapBrokenSuffix)));
      RV_TRY(fileio::fsync_dir(dir_));
      ++broken;
      continue;
    }
    if (accept) RV_TRY(accept(*loaded));
    return loaded;
  }
  std::string message = dir_ + ": no usable snapshot among " + std::to_string(allowed.size()) +
                        " WAL snapshot marker(s)";
  if (broken > 0) message += " (" + std::to_string(broken) + " renamed .broken after failing checks)";
  return error(errc::not_found, message);
}

result<std::vector<std::string>> snapshotter::list_with_suffix(std::string_view suffix) const {
  if (!fileio::exists(dir_)) return std::vector<std::string>();
  RV_ASSIGN(auto names, fileio::list_dir(dir_));
  names.erase(std::remove_if(names.begin(), names.end(),
                             [&](const std::string& n) { return !keys::ends_with(n, suffix); }),
              names.end());
  std::reverse(names.begin(), names.end());  // list_dir sorts ascending; newest first here
  return names;
}

result<std::vector<std::string>> snapshotter::list() const {
  RV_ASSIGN(auto names, list_with_suffix(kSnapSuffix));
  names.erase(std::remove_if(names.begin(), names.end(),
                             [](const std::string& n) { return !parse_snap_file_name(n); }),
              names.end());
  return names;
}

status snapshotter::gc(std::size_t keep, const snapshot_marker& recorded) {
  RV_ASSIGN(auto names, list());
  // Names sort as (term, index), like the markers they encode: drop the ones above `recorded`.
  const std::string newest_kept = file_name(recorded);
  names.erase(names.begin(), std::find_if(names.begin(), names.end(), [&](const std::string& n) {
                return n <= newest_kept;
              }));
  RV_ASSIGN(auto temps, list_with_suffix(std::string(kSnapSuffix) + std::string(kSnapTempSuffix)));
  bool removed = false;
  for (std::size_t i = keep; i < names.size(); ++i) {
    RV_TRY(fileio::unlink(path_of(names[i])));
    removed = true;
  }
  for (const auto& name : temps) {
    RV_TRY(fileio::unlink(path_of(name)));
    removed = true;
  }
  if (removed) RV_TRY(fileio::fsync_dir(dir_));
  return {};
}

}  // namespace raftvault::raftlog
