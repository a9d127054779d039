#include "tools/new_store_guard.h"

#include <cerrno>
#include <filesystem>

#include "fileio/file.h"
#include "raftlog/store_layout.h"

namespace raftvault::cli {
namespace {

std::string without_trailing_slashes(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return path;
}

std::string join(const std::string& relative, const std::string& name) {
  return relative.empty() ? name : relative + "/" + name;
}

std::string last_component(const std::string& path) { return path.substr(path.rfind('/') + 1); }

// The top-level directories init and import create files in.
bool is_store_directory(const std::string& name) {
  for (bool encrypted : {true, false}) {
    const raftlog::store_layout layout{"", encrypted};
    for (const std::string& dir : {layout.keys_dir(), layout.wal_dir(), layout.snap_dir()})
      if (name == last_component(dir)) return true;
  }
  return false;
}

void keep_first(status& first, status next) {
  if (first && !next) first = std::move(next);
}

}  // namespace

result<new_store_guard> new_store_guard::start(const std::string& data_dir) {
  new_store_guard guard(without_trailing_slashes(data_dir));
  guard.existed_ = fileio::exists(guard.data_dir_);
  if (guard.existed_) {
    auto recorded = guard.record("");
    if (!recorded && recorded.error().sys_errno() == ENOTDIR)
      return error(errc::invalid_argument, "--data-dir " + data_dir + " exists and is not a directory");
    if (!recorded) return recorded.error();
  }
  // Armed only with a complete listing: a partial one would make the user's files look new.
  guard.armed_ = true;
  return guard;
}

new_store_guard::new_store_guard(new_store_guard&& other) noexcept
    : data_dir_(std::move(other.data_dir_)),
      existed_(other.existed_),
      made_data_dir_(other.made_data_dir_),
      armed_(other.armed_),
      entries_(std::move(other.entries_)),
      listed_dirs_(std::move(other.listed_dirs_)),
      empty_dirs_(std::move(other.empty_dirs_)) {
  other.armed_ = false;
}

new_store_guard::~new_store_guard() {
  if (armed_) (void)discard();
}

status new_store_guard::record(const std::string& relative) {
  const std::string dir = relative.empty() ? data_dir_ : data_dir_ + "/" + relative;
  RV_ASSIGN(auto names, fileio::list_dir(dir));
  listed_dirs_.insert(relative);
  if (names.empty() && !relative.empty()) {
    std::error_code ec;
    const auto perms = std::filesystem::status(dir, ec).permissions();
    if (!ec) empty_dirs_[relative] = static_cast<unsigned>(perms);
  }
  for (const auto& name : names) {
    const std::string child = join(relative, name);
    entries_.insert(child);
    if (!relative.empty() || is_store_directory(name)) {
      // Not a directory, or one that cannot be listed: never entered, so never changed.
      (void)record(child);
    }
  }
  return {};
}

status new_store_guard::make_data_dir() {
  if (existed_) return {};
  RV_TRY(fileio::make_dir(data_dir_));
  made_data_dir_ = true;
  return fileio::fsync_dir(fileio::parent_dir(data_dir_));
}

status new_store_guard::discard() {
  if (!armed_) return {};
  armed_ = false;
  if (made_data_dir_) {
    RV_TRY(fileio::remove_all(data_dir_));
    return fileio::fsync_dir(fileio::parent_dir(data_dir_));
  }
  status first_failure;
  if (!existed_) return first_failure;
  discard_below("", first_failure);
  // The copy protocol of import replaces an empty snap directory (raftlog::detail::
  // prepare_copy_target): put back the empty directories that were there.
  for (const auto& [relative, mode] : empty_dirs_) {
    const std::string dir = data_dir_ + "/" + relative;
    if (fileio::exists(dir)) continue;
    keep_first(first_failure, fileio::make_dir(dir, mode));
    keep_first(first_failure, fileio::fsync_dir(fileio::parent_dir(dir)));
  }
  return first_failure;
}

void new_store_guard::discard_below(const std::string& relative, status& first_failure) {
  const std::string dir = relative.empty() ? data_dir_ : data_dir_ + "/" + relative;
  auto names = fileio::list_dir(dir);
  if (!names) {
    if (names.error().sys_errno() != ENOENT) keep_first(first_failure, names.error());
    return;
  }
  bool removed = false;
  for (const auto& name : *names) {
    const std::string child = join(relative, name);
    if (entries_.count(child) == 0) {
      keep_first(first_failure, fileio::remove_all(data_dir_ + "/" + child));
      removed = true;
    } else if (listed_dirs_.count(child) != 0) {
      discard_below(child, first_failure);
    }
  }
  if (removed) keep_first(first_failure, fileio::fsync_dir(dir));
}

}  // namespace raftvault::cli
