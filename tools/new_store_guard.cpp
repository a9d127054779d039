#include "tools/new_store_guard.h"

#include <fcntl.h>

#include <cerrno>
#include <filesystem>

#include "fileio/crash_point.h"
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

error another_run(const std::string& data_dir) {
  return error(errc::locked, "another init or import is creating a store in " + data_dir + " (" +
                                 unfinished_store_path(data_dir) + " is locked by a running process)");
}

}  // namespace

result<new_store_guard> new_store_guard::start(const std::string& data_dir) {
  new_store_guard guard(without_trailing_slashes(data_dir));
  guard.listing_.existed = fileio::exists(guard.data_dir_);
  if (guard.listing_.existed) {
    auto recorded = guard.record("");
    if (!recorded && recorded.error().sys_errno() == ENOTDIR)
      return error(errc::invalid_argument, "--data-dir " + data_dir + " exists and is not a directory");
    if (!recorded) return recorded.error();
  }
  // Armed only with a complete listing: a partial one would make the user's files look new.
  guard.armed_ = true;
  return guard;
}

result<std::optional<std::string>> new_store_guard::discard_unfinished(const std::string& data_dir) {
  new_store_guard dead(without_trailing_slashes(data_dir));
  const std::string path = unfinished_store_path(dead.data_dir_);
  if (!fileio::exists(path)) return std::optional<std::string>();
  auto lock = fileio::exclusive_lock::acquire(path);
  if (!lock && lock.error().code() == errc::locked) return another_run(dead.data_dir_);
  if (!lock) return lock.error();
  RV_ASSIGN(auto text, fileio::read_file(path));
  // Empty: made by this acquire, the file having gone in the meantime.
  if (text.empty()) {
    RV_TRY(fileio::unlink(path));
    return std::optional<std::string>();
  }
  RV_ASSIGN(auto journal, decode_journal(text, path));
  dead.listing_ = std::move(journal.listing);
  dead.armed_ = true;
  RV_TRY(dead.discard());
  return std::optional<std::string>(std::move(journal.command));
}

new_store_guard::new_store_guard(new_store_guard&& other) noexcept
    : data_dir_(std::move(other.data_dir_)),
      armed_(other.armed_),
      listing_(std::move(other.listing_)),
      journal_lock_(std::move(other.journal_lock_)) {
  other.armed_ = false;
}

new_store_guard::~new_store_guard() {
  if (armed_) (void)discard();
}

status new_store_guard::record(const std::string& relative) {
  const std::string dir = relative.empty() ? data_dir_ : data_dir_ + "/" + relative;
  RV_ASSIGN(auto names, fileio::list_dir(dir));
  listing_.listed_dirs.insert(relative);
  if (names.empty() && !relative.empty()) {
    std::error_code ec;
    const auto perms = std::filesystem::status(dir, ec).permissions();
    if (!ec) listing_.empty_dirs[relative] = static_cast<unsigned>(perms);
  }
  for (const auto& name : names) {
    const std::string child = join(relative, name);
    listing_.entries.insert(child);
    if (!relative.empty() || is_store_directory(name)) {
      // Not a directory, or one that cannot be listed: never entered, so never changed.
      (void)record(child);
    }
  }
  return {};
}

status new_store_guard::make_data_dir() {
  if (listing_.existed) return {};
  RV_TRY(fileio::make_dir(data_dir_));
  listing_.made = true;
  return fileio::fsync_dir(fileio::parent_dir(data_dir_));
}

status new_store_guard::write_journal(const std::string& command) {
  const std::string path = unfinished_store_path(data_dir_);
  const std::string temp = path + ".tmp";
  // Locked before it is written and renamed into place without replacing: of two runs creating
  // a store here at once, the second meets the lock or the file and removes nothing.
  auto lock = fileio::exclusive_lock::acquire(temp);
  if (!lock && lock.error().code() == errc::locked) {
    disown();
    return another_run(data_dir_);
  }
  if (!lock) return lock.error();
  {
    RV_ASSIGN(auto f, fileio::file::open(temp, O_WRONLY | O_TRUNC));
    RV_TRY(f.write_all(encode_journal({command, listing_})));
    RV_TRY(f.fsync());
    RV_TRY(f.close());
  }
  if (auto renamed = fileio::rename_noreplace(temp, path); !renamed) {
    if (renamed.error().sys_errno() != EEXIST) return renamed.error();
    (void)fileio::unlink(temp);
    disown();
    return another_run(data_dir_);
  }
  journal_lock_ = std::move(*lock);
  RV_TRY(fileio::fsync_dir(data_dir_));
  fileio::crash_point("new_store.journal_written");
  return {};
}

status new_store_guard::finish() {
  if (journal_lock_) {
    RV_TRY(fileio::unlink(unfinished_store_path(data_dir_)));
    RV_TRY(fileio::fsync_dir(data_dir_));
    journal_lock_.reset();
  }
  armed_ = false;
  return {};
}

void new_store_guard::disown() {
  armed_ = false;
  if (!journal_lock_) return;
  if (fileio::unlink(unfinished_store_path(data_dir_))) (void)fileio::fsync_dir(data_dir_);
  journal_lock_.reset();
}

status new_store_guard::discard() {
  if (!armed_) return {};
  armed_ = false;
  journal_lock_.reset();
  if (listing_.made) {
    RV_TRY(fileio::remove_all(data_dir_));
    return fileio::fsync_dir(fileio::parent_dir(data_dir_));
  }
  status first_failure;
  if (!listing_.existed) return first_failure;
  discard_below("", first_failure);
  // The copy protocol of import replaces an empty snap directory (raftlog::detail::
  // prepare_copy_target): put back the empty directories that were there.
  for (const auto& [relative, mode] : listing_.empty_dirs) {
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
    if (listing_.entries.count(child) == 0) {
      keep_first(first_failure, fileio::remove_all(data_dir_ + "/" + child));
      removed = true;
    } else if (listing_.listed_dirs.count(child) != 0) {
      discard_below(child, first_failure);
    }
  }
  if (removed) keep_first(first_failure, fileio::fsync_dir(dir));
}

}  // namespace raftvault::cli
