#include "keys/unlock_key_source.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "codec/error.h"
#include "fileio/file.h"
#include "keys/secret_file.h"

namespace raftvault::keys {
namespace {

std::string mode_text(unsigned mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", mode & 07777);
  return buf;
}

// Parses from a buffer that the caller wipes afterwards.
result<unlock_key> parse_and_wipe(std::string& text) {
  auto key = unlock_key::parse(text);
  sodium_memzero(text.data(), text.size());
  return key;
}

}  // namespace

result<unlock_key> read_unlock_key_file(const std::string& path) {
  RV_ASSIGN(auto f, fileio::file::open(path, O_RDONLY));
  struct stat st {};
  if (::fstat(f.fd(), &st) < 0) return io_error("stat", path, errno);
  if ((st.st_mode & 077) != 0) {
    return error(errc::invalid_argument,
                 "unlock key file " + path + " has mode " + mode_text(st.st_mode) +
                     "; it must not be accessible by group or others (chmod 600)");
  }
  RV_ASSIGN(auto secret, read_secret(f, kMaxUnlockKeyFileBytes));
  auto key = unlock_key::parse(secret.view());
  if (!key) return key.error().with_context("unlock key file " + path);
  return key;
}

result<unlock_key> read_unlock_key_env(const std::string& variable) {
  const char* value = std::getenv(variable.c_str());
  if (value == nullptr) {
    return error(errc::not_found, "environment variable " + variable + " is not set");
  }
  auto key = unlock_key::parse(value);
  if (!key) return key.error().with_context("environment variable " + variable);
  return key;
}

result<unlock_key> prompt_unlock_key(const std::string& prompt, const std::string& tty_path) {
  const int fd = ::open(tty_path.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) {
    return error(errc::not_found, "no terminal to prompt for the unlock key (" + tty_path +
                                      ": " + std::strerror(errno) + ")", errno);
  }
  termios saved{};
  if (::tcgetattr(fd, &saved) < 0) {
    const int e = errno;
    ::close(fd);
    return error(errc::not_found, tty_path + " is not a terminal", e);
  }
  termios quiet = saved;
  quiet.c_lflag &= static_cast<tcflag_t>(~ECHO);
  quiet.c_lflag |= ECHONL;
  ::tcsetattr(fd, TCSAFLUSH, &quiet);
  if (::write(fd, prompt.data(), prompt.size()) < 0) {
    // The prompt is a courtesy; reading still works without it.
  }
  std::string line;
  line.reserve(4096);  // the loop's limit: no reallocation leaves a stray copy of the key
  char c = 0;
  while (line.size() < 4096) {
    const ssize_t n = ::read(fd, &c, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0 || c == '\n' || c == '\r') break;
    line.push_back(c);
  }
  c = 0;
  ::tcsetattr(fd, TCSAFLUSH, &saved);
  ::close(fd);
  // Nothing typed (Enter, Ctrl-D) is no key at all, not a malformed one: the caller then says
  // how else a key can be given.
  if (line.empty()) return error(errc::not_found, "no unlock key was entered at " + tty_path);
  return parse_and_wipe(line);
}

}  // namespace raftvault::keys
