#include "raftlog/store_permissions.h"

#include <sys/stat.h>

#include <cerrno>
#include <optional>

#include "fileio/file.h"

namespace raftvault::raftlog {
namespace {

std::optional<loose_permission> loose(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return std::nullopt;  // absent: nothing to report
  const bool directory = S_ISDIR(st.st_mode);
  if (!directory && !S_ISREG(st.st_mode)) return std::nullopt;
  if ((st.st_mode & 077) == 0) return std::nullopt;
  return loose_permission{path, static_cast<unsigned>(st.st_mode & 07777), directory};
}

}  // namespace

result<std::vector<loose_permission>> find_loose_permissions(const store_layout& layout) {
  std::vector<loose_permission> found;
  for (const std::string& dir : {layout.data_dir, layout.wal_dir(), layout.snap_dir()}) {
    if (auto l = loose(dir)) found.push_back(*l);
  }
  for (const std::string& dir : {layout.wal_dir(), layout.snap_dir()}) {
    if (!fileio::exists(dir)) continue;
    RV_ASSIGN(auto names, fileio::list_dir(dir));
    for (const auto& name : names) {
      if (auto l = loose(dir + "/" + name)) found.push_back(*l);
    }
  }
  return found;
}

result<std::vector<loose_permission>> make_permissions_private(const store_layout& layout) {
  RV_ASSIGN(auto found, find_loose_permissions(layout));
  // A mode change that a crash loses is found and made again at the next open: no fsync.
  std::vector<loose_permission> changed;
  for (auto& l : found) {
    auto made = fileio::change_mode(l.path, l.private_mode());
    if (!made && made.error().sys_errno() == ENOENT) continue;  // gone since: nothing to protect
    RV_TRY(made);
    changed.push_back(std::move(l));
  }
  return changed;
}

}  // namespace raftvault::raftlog
