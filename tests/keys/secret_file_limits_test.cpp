// Key material that does not come from a plain small file: a pipe (`<(cat key)`, whose size says
// 0), a FIFO nobody writes to, a device with no end, and files far larger than any key. Each is
// read to its end or refused naming the file and the limit; none is read whole and none blocks.
#include <catch2/catch.hpp>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "keys/key_file.h"
#include "keys/key_store.h"
#include "keys/secret_file.h"
#include "keys/unlock_key_source.h"
#include "support/test_support.h"

using namespace raftvault;
using namespace raftvault::keys;
namespace rt = raftvault::testing;

namespace {

// A pipe holding `bytes` with its write end closed, opened by name as `<(...)` gives it.
class filled_pipe {
 public:
  explicit filled_pipe(const std::string& bytes) {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    REQUIRE(::write(fds[1], bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()));
    ::close(fds[1]);
    read_fd_ = fds[0];
  }
  ~filled_pipe() { ::close(read_fd_); }
  filled_pipe(const filled_pipe&) = delete;
  filled_pipe& operator=(const filled_pipe&) = delete;
  std::string path() const { return "/proc/self/fd/" + std::to_string(read_fd_); }

 private:
  int read_fd_ = -1;
};

void expect_refused(const result<secret_bytes>& read, const std::string& message) {
  REQUIRE_FALSE(read.has_value());
  CHECK(read.error().code() == errc::invalid_argument);
  CHECK(read.error().message() == message);
}

}  // namespace

TEST_CASE("a secret from a pipe is read to its end, up to the limit", "[keys]") {
  const std::string pem = "-----BEGIN PRIVATE KEY-----\nfrom a pipe\n-----END PRIVATE KEY-----\n";
  filled_pipe pipe(pem);
  auto read = read_secret_file(pipe.path(), 4096);
  REQUIRE(read.has_value());
  CHECK(read->view() == pem);

  filled_pipe too_long(std::string(100, 'k'));
  expect_refused(read_secret_file(too_long.path(), 64), too_long.path() + " holds more than the limit of 64 bytes");
}

TEST_CASE("an unlock key file given as a pipe is the key it carries", "[keys]") {
  auto key = unlock_key::generate();
  REQUIRE(key.has_value());
  filled_pipe pipe(std::string(key->text()->view()) + "\n");
  auto from_pipe = read_unlock_key_file(pipe.path());
  INFO((from_pipe ? std::string() : from_pipe.error().message()));
  REQUIRE(from_pipe.has_value());
  CHECK(from_pipe->same_as(*key));
}

TEST_CASE("a FIFO nobody writes to is refused at once, not waited on", "[keys]") {
  rt::temp_dir dir;
  const std::string fifo = dir / "key.fifo";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  expect_refused(read_secret_file(fifo, 4096), fifo + " is a pipe or FIFO that ended before any byte (no writer?)");
  auto key = read_unlock_key_file(fifo);
  REQUIRE_FALSE(key.has_value());
  CHECK(key.error().message() == fifo + " is a pipe or FIFO that ended before any byte (no writer?)");
}

TEST_CASE("devices are refused unread, files over the limit before they are read", "[keys]") {
  expect_refused(read_secret_file("/dev/zero", 1 << 20),
                 "/dev/zero is not a regular file or a pipe (it is a character device)");

  rt::temp_dir dir;
  const std::string small_limit = dir / "five-bytes-over";
  rt::write_bytes(small_limit, std::string(69, 'x'));
  expect_refused(read_secret_file(small_limit, 64), small_limit + " is 69 bytes, more than the limit of 64 bytes");
  rt::write_bytes(small_limit, std::string(64, 'x'));
  CHECK(read_secret_file(small_limit, 64).has_value());  // the limit itself is accepted

  // Sparse: 2 GiB of zeros costs nothing on disk, and is never read.
  const std::string huge = dir / "huge.pem";
  rt::write_bytes(huge, "");
  REQUIRE(::truncate(huge.c_str(), 2LL << 30) == 0);
  expect_refused(read_secret_file(huge, 1 << 20), huge + " is 2147483648 bytes, more than the limit of 1048576 bytes");

  const std::string big_key = dir / "unlock.key";
  rt::write_bytes(big_key, std::string(kMaxUnlockKeyFileBytes + 1, ' '));
  ::chmod(big_key.c_str(), 0600);
  auto key = read_unlock_key_file(big_key);
  REQUIRE_FALSE(key.has_value());
  CHECK(key.error().message() == big_key + " is 4097 bytes, more than the limit of 4096 bytes");
}

TEST_CASE("a key file larger than any key file is refused without reading it", "[keys]") {
  rt::temp_dir d;
  const std::string keys_dir = d / "keys";
  REQUIRE(key_store::create(keys_dir, {}).has_value());
  const std::string path = keys_dir + "/node.key";
  // The real file, NUL-padded (sparse) to 2 GiB: never read whole.
  REQUIRE(::truncate(path.c_str(), 2LL << 30) == 0);
  auto opened = key_store::open(keys_dir, nullptr);
  REQUIRE_FALSE(opened.has_value());
  CHECK(opened.error().code() == errc::corruption);
  CHECK(opened.error().message() == "key file " + path + " is 2147483648 bytes, more than the limit of " +
                                        std::to_string(kMaxKeyFileBytes) +
                                        " bytes: it is damaged or not a raftvault key file");
  REQUIRE(::truncate(path.c_str(), kMaxKeyFileBytes + 1) == 0);
  opened = key_store::open(keys_dir, nullptr);
  REQUIRE_FALSE(opened.has_value());
  CHECK_THAT(opened.error().message(), Catch::Contains("more than the limit of"));
}
