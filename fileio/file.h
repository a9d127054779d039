// The one file layer of keys/ and raftlog/. Every system call that touches the disk goes
// through here, so tests can fail any of them (fault_injection.h), stop the process dead at
// named points (crash_point.h) and record what each one made durable (durability_log.h).
// Durability is explicit: nothing here calls a buffered flush "persistent"; only
// fdatasync/fsync and fsync_dir are.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "codec/error_types.h"

namespace raftvault::fileio {

constexpr unsigned kPrivateFileMode = 0600;  // data and key files
constexpr unsigned kPrivateDirMode = 0700;   // every directory raftvault creates

// A move-only owned file descriptor that remembers its path for error messages.
class file {
 public:
  file() = default;
  ~file();
  file(file&& other) noexcept;
  file& operator=(file&& other) noexcept;
  file(const file&) = delete;
  file& operator=(const file&) = delete;

  // open(2) with O_CLOEXEC added. `flags` are O_* flags; mode is used with O_CREAT. Never waits
  // for the other end of a FIFO: with none, a read-only open reads as empty and a write-only
  // open fails (ENXIO).
  static result<file> open(const std::string& path, int flags, unsigned mode = kPrivateFileMode);

  bool is_open() const { return fd_ >= 0; }
  int fd() const { return fd_; }
  const std::string& path() const { return path_; }

  status write_all(const void* data, std::size_t size);
  status write_all(std::string_view bytes) { return write_all(bytes.data(), bytes.size()); }
  status pwrite_all(const void* data, std::size_t size, std::uint64_t offset);
  // Reads exactly `size` bytes at `offset` or fails (a short file is corruption at that offset).
  status pread_exact(void* data, std::size_t size, std::uint64_t offset) const;
  // Reads from the current position until `size` bytes or the end of input (a pipe has no size
  // to pread against); returns how many bytes were read.
  result<std::size_t> read_up_to(void* data, std::size_t size) const;
  status fdatasync();
  status fsync();
  // Reserves [offset, offset+length) and extends the size (fallocate, ftruncate fallback).
  status preallocate(std::uint64_t offset, std::uint64_t length);
  status truncate(std::uint64_t size);
  status seek(std::uint64_t offset);
  result<std::uint64_t> size() const;
  // The first offset >= `offset` that may hold data (lseek SEEK_DATA): holes, such as the
  // never-written part of a sparse file, are skipped without reading them. size() when only
  // a hole follows; `offset` itself where the file system cannot tell.
  result<std::uint64_t> next_data(std::uint64_t offset) const;
  status close();

 private:
  file(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  int fd_ = -1;
  std::string path_;
};

status fsync_dir(const std::string& dir);
status rename(const std::string& from, const std::string& to);  // does not fsync
status unlink(const std::string& path);                          // does not fsync
// Swaps two existing paths atomically (renameat2 RENAME_EXCHANGE, same file system); does not
// fsync. Fault hook: op::rename. errno EINVAL/ENOSYS where the file system cannot do it.
status exchange(const std::string& a, const std::string& b);
// Renames `from` to `to` only when `to` does not exist (renameat2 RENAME_NOREPLACE): errno
// EEXIST otherwise, with nothing changed. Does not fsync. Fault hook: op::rename.
status rename_noreplace(const std::string& from, const std::string& to);
status remove_all(const std::string& path);
status change_mode(const std::string& path, unsigned mode);  // chmod(2); fault hook op::chmod
// The permission bits of `mode` as four octal digits ("0644"), for messages.
std::string mode_text(unsigned mode);
status make_dir(const std::string& path, unsigned mode = kPrivateDirMode);  // no error if exists
// Creates `dir` when it does not exist and fsyncs its parent, so the name survives a crash (a
// file later made durable inside it is lost with it otherwise). The parent is fsynced when
// `dir` exists too: a process that died between the mkdir and that fsync left a name that may
// not be durable yet, and its retry finds the directory there.
status make_dir_durable(const std::string& dir, unsigned mode = kPrivateDirMode);
// The directory that holds `path`'s name ("." for a bare name): the one to fsync after
// creating, renaming or deleting `path`.
std::string parent_dir(const std::string& path);
bool exists(const std::string& path);
result<std::string> read_file(const std::string& path);
// Names of the entries of `dir` (no "." or ".."), sorted. Fault hook: op::read.
result<std::vector<std::string>> list_dir(const std::string& dir);
// Whether `path` is a directory without entries; false for any other kind of file. An error
// (errc::io) when it cannot be listed, ENOENT when it does not exist. Fault hook: op::read.
result<bool> is_empty_dir(const std::string& path);

// Replaces `path` atomically and durably: temp file (mode), write, fsync, rename, fsync dir.
// A crash at any point leaves either the old or the new contents at `path`.
status write_file_atomic(const std::string& path, std::string_view bytes,
                         unsigned mode = kPrivateFileMode);

// An exclusive advisory lock (flock) on `path`, held until destroyed. A second holder, in this
// or another process, gets errc::locked naming the path.
class exclusive_lock {
 public:
  // Creates the lock file (0600) when it is missing.
  static result<exclusive_lock> acquire(const std::string& path);
  // For readers, which must not create files: a lock holding nothing when `path` is missing.
  static result<exclusive_lock> acquire_if_present(const std::string& path);
  bool held() const { return file_.is_open(); }
  exclusive_lock() = default;
  exclusive_lock(exclusive_lock&&) noexcept = default;
  exclusive_lock& operator=(exclusive_lock&&) noexcept = default;
 private:
  explicit exclusive_lock(file f) : file_(std::move(f)) {}
  static result<exclusive_lock> lock(file f, const std::string& path);
  file file_;
};

}  // namespace raftvault::fileio
