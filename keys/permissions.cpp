#include "keys/permissions.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>

#include "fileio/file.h"

namespace raftvault::keys {
namespace {

::raftvault::status check(const std::string& path, int flags, const char* what,
                          const char* wanted) {
  RV_ASSIGN(auto f, fileio::file::open(path, flags));
  struct stat st {};
  if (::fstat(f.fd(), &st) < 0) return io_error("stat", path, errno);
  if ((st.st_mode & 077) != 0) {
    return error(errc::invalid_argument, std::string(what) + " " + path + " has mode " +
                                             fileio::mode_text(st.st_mode) +
                                             "; refusing to use it until it is " + wanted +
                                             " (no access for group or others)");
  }
  return ::raftvault::status::ok();
}

}  // namespace

::raftvault::status check_private_dir(const std::string& path) {
  return check(path, O_RDONLY | O_DIRECTORY, "key directory", "0700");
}

::raftvault::status check_private_file(const std::string& path) {
  return check(path, O_RDONLY, "key file", "0600");
}

}  // namespace raftvault::keys
