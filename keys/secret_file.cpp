#include "keys/secret_file.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>

#include "codec/error.h"

namespace raftvault::keys {
namespace {

std::string over_limit(const std::string& path, const std::string& size_text, std::uint64_t limit) {
  return path + " " + size_text + " more than the limit of " + std::to_string(limit) + " bytes";
}

// A pipe has no size to check first: read until end of input into a buffer one byte larger than
// the limit, so that a longer input is seen without reading it all.
result<secret_bytes> read_stream(const fileio::file& f, std::uint64_t limit, bool is_pipe) {
  RV_ASSIGN(auto buffer, secret_bytes::allocate(static_cast<std::size_t>(limit) + 1));
  RV_ASSIGN(const std::size_t filled, f.read_up_to(buffer.data(), buffer.size()));
  if (filled > limit) return error(errc::invalid_argument, over_limit(f.path(), "holds", limit));
  if (filled == 0 && is_pipe)
    return error(errc::invalid_argument, f.path() + " is a pipe or FIFO that ended before any byte (no writer?)");
  return secret_bytes::copy_of(buffer.view().substr(0, filled));
}

std::string kind_of(mode_t mode) {
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  return "of an unknown kind";
}

}  // namespace

result<secret_bytes> read_secret(const fileio::file& f, std::uint64_t limit) {
  struct stat st {};
  if (::fstat(f.fd(), &st) < 0) return io_error("stat", f.path(), errno);
  const auto size = static_cast<std::uint64_t>(st.st_size);
  if (S_ISREG(st.st_mode)) {
    if (size > limit)
      return error(errc::invalid_argument, over_limit(f.path(), "is " + std::to_string(size) + " bytes,", limit));
    RV_ASSIGN(auto secret, secret_bytes::allocate(static_cast<std::size_t>(size)));
    if (size != 0) RV_TRY(f.pread_exact(secret.data(), secret.size(), 0));
    return secret;
  }
  const bool is_pipe = S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode);
  if (is_pipe || S_ISDIR(st.st_mode)) return read_stream(f, limit, is_pipe);
  return error(errc::invalid_argument,
               f.path() + " is not a regular file or a pipe (it is " + kind_of(st.st_mode) + ")");
}

result<secret_bytes> read_secret_file(const std::string& path, std::uint64_t limit) {
  RV_ASSIGN(auto f, fileio::file::open(path, O_RDONLY));
  return read_secret(f, limit);
}

}  // namespace raftvault::keys
