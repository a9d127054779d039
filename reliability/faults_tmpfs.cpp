#include "reliability/faults_tmpfs.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <utility>

namespace raftvault::reliability {
namespace {

constexpr const char* kFiller = "/.filler";

}  // namespace

result<small_tmpfs> small_tmpfs::mount(const std::string& dir, std::uint64_t bytes) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return error(errc::io, "create " + dir + ": " + ec.message());
  const std::string data = "size=" + std::to_string(bytes) + ",mode=0700";
  if (::mount("tmpfs", dir.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, data.c_str()) != 0)
    return io_error("mount a tmpfs on", dir, errno);
  return small_tmpfs(dir);
}

small_tmpfs::small_tmpfs(small_tmpfs&& other) noexcept : path_(std::exchange(other.path_, {})) {}

small_tmpfs::~small_tmpfs() {
  if (!path_.empty()) ::umount2(path_.c_str(), MNT_DETACH);
}

result<std::uint64_t> small_tmpfs::free_bytes() const {
  struct statvfs st;
  if (::statvfs(path_.c_str(), &st) != 0) return io_error("statvfs", path_, errno);
  return static_cast<std::uint64_t>(st.f_bavail) * st.f_frsize;
}

status small_tmpfs::fill_leaving(std::uint64_t leave) {
  RV_ASSIGN(auto available, free_bytes());
  if (available <= leave) return {};
  const std::string filler = path_ + kFiller;
  const int fd = ::open(filler.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return io_error("open", filler, errno);
  struct stat st;
  const bool sized = ::fstat(fd, &st) == 0;
  const off_t from = sized ? st.st_size : 0;
  const int rc = ::fallocate(fd, 0, from, static_cast<off_t>(available - leave));
  const int saved = errno;
  ::close(fd);
  if (!sized || rc != 0) return io_error("fallocate", filler, saved);
  return {};
}

status small_tmpfs::release_filler() {
  const std::string filler = path_ + kFiller;
  if (::unlink(filler.c_str()) != 0 && errno != ENOENT) return io_error("unlink", filler, errno);
  return {};
}

}  // namespace raftvault::reliability
