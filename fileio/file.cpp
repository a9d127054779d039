#include "fileio/file.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <system_error>

#include "fileio/crash_point.h"
#include "fileio/durability_log.h"
#include "fileio/fault_injection.h"

namespace raftvault::fileio {
namespace {

namespace hooks = durability_hooks;

// Runs `call` unless the fault hook says this call fails; retries EINTR.
template <class Call>
long checked(op kind, Call call) {
  if (int injected = fault_for(kind); injected != 0) {
    errno = injected;
    return -1;
  }
  long rc;
  do {
    rc = call();
  } while (rc < 0 && errno == EINTR);
  return rc;
}

}  // namespace

file::~file() {
  if (fd_ >= 0) ::close(fd_);
}

file::file(file&& other) noexcept : fd_(other.fd_), path_(std::move(other.path_)) {
  other.fd_ = -1;
}

file& file::operator=(file&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.fd_;
    path_ = std::move(other.path_);
    other.fd_ = -1;
  }
  return *this;
}

result<file> file::open(const std::string& path, int flags, unsigned mode) {
  const bool recording = hooks::recording();
  const bool existed = recording && exists(path);
  // Opened without blocking, then switched back unless the caller asked for it: a FIFO where a
  // file was expected would otherwise wait for a writer (or reader) forever. It then reads as
  // empty, and a write-only open fails (ENXIO); regular files and directories do not notice.
  long fd = checked(op::open, [&] { return ::open(path.c_str(), flags | O_CLOEXEC | O_NONBLOCK, mode); });
  if (fd < 0) return io_error("open", path, errno);
  file f(static_cast<int>(fd), path);
  if ((flags & O_NONBLOCK) == 0 && ::fcntl(f.fd_, F_SETFL, ::fcntl(f.fd_, F_GETFL) & ~O_NONBLOCK) < 0)
    return io_error("fcntl", path, errno);
  if (recording) hooks::opened(path, flags, existed, f.fd_);
  return f;
}

status file::write_all(const void* data, std::size_t size) {
  const auto* p = static_cast<const char*>(data);
  while (size > 0) {
    const off_t at = hooks::recording() ? ::lseek(fd_, 0, SEEK_CUR) : 0;
    long n = checked(op::write, [&] { return ::write(fd_, p, size); });
    if (n < 0) return io_error("write", path_, errno);
    if (hooks::recording() && at >= 0) hooks::wrote(fd_, static_cast<std::uint64_t>(at), p, static_cast<std::size_t>(n));
    p += n;
    size -= static_cast<std::size_t>(n);
  }
  return {};
}

status file::pwrite_all(const void* data, std::size_t size, std::uint64_t offset) {
  const auto* p = static_cast<const char*>(data);
  while (size > 0) {
    long n = checked(op::write, [&] { return ::pwrite(fd_, p, size, static_cast<off_t>(offset)); });
    if (n < 0) return io_error("write", path_, errno);
    if (hooks::recording()) hooks::wrote(fd_, offset, p, static_cast<std::size_t>(n));
    p += n;
    size -= static_cast<std::size_t>(n);
    offset += static_cast<std::uint64_t>(n);
  }
  return {};
}

status file::pread_exact(void* data, std::size_t size, std::uint64_t offset) const {
  auto* p = static_cast<char*>(data);
  while (size > 0) {
    long n = checked(op::read, [&] { return ::pread(fd_, p, size, static_cast<off_t>(offset)); });
    if (n < 0) return io_error("read", path_, errno);
    if (n == 0)
      return error(errc::corruption,
                   path_ + ": unexpected end of file at offset " + std::to_string(offset));
    p += n;
    size -= static_cast<std::size_t>(n);
    offset += static_cast<std::uint64_t>(n);
  }
  return {};
}

result<std::size_t> file::read_up_to(void* data, std::size_t size) const {
  auto* p = static_cast<char*>(data);
  std::size_t filled = 0;
  while (filled < size) {
    long n = checked(op::read, [&] { return ::read(fd_, p + filled, size - filled); });
    if (n < 0) return io_error("read", path_, errno);
    if (n == 0) break;
    filled += static_cast<std::size_t>(n);
  }
  return filled;
}

status file::fdatasync() {
  if (checked(op::fdatasync, [&] {
        if (hooks::recording()) hooks::syncing(fd_, false);
        return ::fdatasync(fd_);
      }) < 0)
    return io_error("fdatasync", path_, errno);
  return {};
}

status file::fsync() {
  if (checked(op::fsync, [&] {
        if (hooks::recording()) hooks::syncing(fd_, false);
        return ::fsync(fd_);
      }) < 0)
    return io_error("fsync", path_, errno);
  return {};
}

status file::preallocate(std::uint64_t offset, std::uint64_t length) {
  long rc = checked(op::preallocate, [&] {
    return ::fallocate(fd_, 0, static_cast<off_t>(offset), static_cast<off_t>(length));
  });
  if (rc == 0) {
    if (hooks::recording()) hooks::resized(fd_);
    return {};
  }
  if (errno != EOPNOTSUPP && errno != ENOSYS) return io_error("fallocate", path_, errno);
  // Filesystems without fallocate (tmpfs on old kernels): extend the size instead.
  RV_ASSIGN(auto current, size());
  if (current >= offset + length) return {};
  return truncate(offset + length);
}

status file::truncate(std::uint64_t size) {
  if (checked(op::truncate, [&] { return ::ftruncate(fd_, static_cast<off_t>(size)); }) < 0)
    return io_error("truncate", path_, errno);
  if (hooks::recording()) hooks::resized(fd_);
  return {};
}

status file::seek(std::uint64_t offset) {
  if (::lseek(fd_, static_cast<off_t>(offset), SEEK_SET) < 0) return io_error("seek", path_, errno);
  return {};
}

result<std::uint64_t> file::size() const {
  struct stat st;
  if (::fstat(fd_, &st) < 0) return io_error("stat", path_, errno);
  return static_cast<std::uint64_t>(st.st_size);
}

result<std::uint64_t> file::next_data(std::uint64_t offset) const {
  const off_t found = ::lseek(fd_, static_cast<off_t>(offset), SEEK_DATA);
  if (found >= 0) return static_cast<std::uint64_t>(found);
  if (errno == ENXIO) return size();  // nothing but a hole from `offset` to the end
  if (errno == EINVAL || errno == EOPNOTSUPP) return offset;
  return io_error("seek data in", path_, errno);
}

status file::close() {
  if (fd_ < 0) return {};
  int fd = fd_;
  fd_ = -1;
  if (::close(fd) < 0) return io_error("close", path_, errno);
  return {};
}

status fsync_dir(const std::string& dir) {
  long fd = checked(op::open, [&] { return ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); });
  if (fd < 0) return io_error("open directory", dir, errno);
  long rc = checked(op::fsync_dir, [&] {
    if (hooks::recording()) hooks::syncing(static_cast<int>(fd), true);
    return ::fsync(static_cast<int>(fd));
  });
  int saved = errno;
  ::close(static_cast<int>(fd));
  if (rc < 0) return io_error("fsync directory", dir, saved);
  return {};
}

status rename(const std::string& from, const std::string& to) {
  if (checked(op::rename, [&] { return ::rename(from.c_str(), to.c_str()); }) < 0)
    return io_error("rename", from + " -> " + to, errno);
  if (hooks::recording()) hooks::renamed(from, to);
  return {};
}

status exchange(const std::string& a, const std::string& b) {
  if (checked(op::rename, [&] {
        return ::renameat2(AT_FDCWD, a.c_str(), AT_FDCWD, b.c_str(), RENAME_EXCHANGE);
      }) < 0)
    return io_error("exchange", a + " <-> " + b, errno);
  if (hooks::recording()) hooks::exchanged(a, b);
  return {};
}

status rename_noreplace(const std::string& from, const std::string& to) {
  if (checked(op::rename, [&] {
        return ::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE);
      }) < 0)
    return io_error("rename", from + " -> " + to, errno);
  return {};
}

status unlink(const std::string& path) {
  if (checked(op::unlink, [&] { return ::unlink(path.c_str()); }) < 0)
    return io_error("unlink", path, errno);
  if (hooks::recording()) hooks::unlinked(path);
  return {};
}

status remove_all(const std::string& path) {
  if (int injected = fault_for(op::unlink); injected != 0) return io_error("remove", path, injected);
  const auto names = hooks::recording() ? hooks::names_under(path)
                                        : std::vector<std::pair<std::uint64_t, std::string>>{};
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
  if (ec) return io_error("remove", path, ec.value());
  if (hooks::recording()) hooks::removed(names);
  return {};
}

status change_mode(const std::string& path, unsigned mode) {
  if (checked(op::chmod, [&] { return ::chmod(path.c_str(), static_cast<mode_t>(mode)); }) < 0)
    return io_error("chmod", path, errno);
  return {};
}

std::string mode_text(unsigned mode) {
  char text[8];
  std::snprintf(text, sizeof text, "%04o", mode & 07777);
  return text;
}

status make_dir(const std::string& path, unsigned mode) {
  long rc = checked(op::mkdir, [&] { return ::mkdir(path.c_str(), mode); });
  if (rc < 0 && errno != EEXIST) return io_error("mkdir", path, errno);
  if (rc == 0 && hooks::recording()) hooks::made_dir(path);
  return {};
}

status make_dir_durable(const std::string& dir, unsigned mode) {
  if (!exists(dir)) RV_TRY(make_dir(dir, mode));
  return fsync_dir(parent_dir(dir));
}

std::string parent_dir(const std::string& path) {
  auto parent = std::filesystem::path(path).parent_path().string();
  return parent.empty() ? std::string(".") : parent;
}

bool exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

result<std::string> read_file(const std::string& path) {
  RV_ASSIGN(auto f, file::open(path, O_RDONLY));
  RV_ASSIGN(auto size, f.size());
  std::string bytes(size, '\0');
  RV_TRY(f.pread_exact(bytes.data(), bytes.size(), 0));
  return bytes;
}

result<std::vector<std::string>> list_dir(const std::string& dir) {
  if (int injected = fault_for(op::read); injected != 0) return io_error("list directory", dir, injected);
  DIR* handle = ::opendir(dir.c_str());
  if (handle == nullptr) return io_error("list directory", dir, errno);
  std::vector<std::string> names;
  errno = 0;
  while (const dirent* item = ::readdir(handle)) {
    std::string name = item->d_name;
    if (name != "." && name != "..") names.push_back(std::move(name));
  }
  int saved = errno;
  ::closedir(handle);
  if (saved != 0) return io_error("list directory", dir, saved);
  std::sort(names.begin(), names.end());
  return names;
}

result<bool> is_empty_dir(const std::string& path) {
  auto names = list_dir(path);
  if (!names) {
    if (names.error().sys_errno() == ENOTDIR) return false;
    return names.error();
  }
  return names->empty();
}

status write_file_atomic(const std::string& path, std::string_view bytes, unsigned mode) {
  const std::string temp = path + ".tmp";
  RV_ASSIGN(auto f, file::open(temp, O_WRONLY | O_CREAT | O_TRUNC, mode));
  // An existing temp file keeps its old mode under O_CREAT; the contents may be secret.
  if (::fchmod(f.fd(), mode) < 0) return io_error("chmod", temp, errno);
  RV_TRY(f.write_all(bytes));
  RV_TRY(f.fsync());
  RV_TRY(f.close());
  crash_point("atomic_write.before_rename");
  RV_TRY(rename(temp, path));
  crash_point("atomic_write.after_rename");
  return fsync_dir(parent_dir(path));
}

result<exclusive_lock> exclusive_lock::lock(file f, const std::string& path) {
  long rc = checked(op::lock, [&] { return ::flock(f.fd(), LOCK_EX | LOCK_NB); });
  if (rc < 0) {
    if (errno == EWOULDBLOCK)
      return error(errc::locked, path + " is locked by another process (is a raftvault writer "
                                        "or service still running on this directory?)");
    return io_error("lock", path, errno);
  }
  return exclusive_lock(std::move(f));
}

result<exclusive_lock> exclusive_lock::acquire(const std::string& path) {
  RV_ASSIGN(auto f, file::open(path, O_RDWR | O_CREAT, kPrivateFileMode));
  return lock(std::move(f), path);
}

result<exclusive_lock> exclusive_lock::acquire_if_present(const std::string& path) {
  auto f = file::open(path, O_RDONLY);
  if (!f) {
    if (f.error().sys_errno() == ENOENT) return exclusive_lock();
    return f.error();
  }
  return lock(std::move(*f), path);
}

}  // namespace raftvault::fileio
