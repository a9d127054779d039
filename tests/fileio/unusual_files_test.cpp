// The file layer facing what a program does not expect: a FIFO where a file should be (never
// waited on), a rename target that appeared meanwhile (never replaced), and a process started
// with a standard fd closed (its number never handed to a file).
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>

#include "fileio/file.h"
#include "fileio/standard_fds.h"
#include "support/test_support.h"

using namespace raftvault;
using namespace raftvault::fileio;
using raftvault::testing::temp_dir;

TEST_CASE("a FIFO nobody holds is opened at once: empty for reading, refused for writing", "[fileio]") {
  temp_dir dir;
  const std::string fifo = dir / "segment.wal";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  auto reader = file::open(fifo, O_RDONLY);
  REQUIRE(reader.has_value());
  CHECK((::fcntl(reader->fd(), F_GETFL) & O_NONBLOCK) == 0);  // blocking again once open
  char byte = 0;
  auto read = reader->read_up_to(&byte, 1);
  REQUIRE(read.has_value());
  CHECK(*read == 0u);
  REQUIRE(reader->close());

  auto writer = file::open(fifo, O_WRONLY);
  REQUIRE_FALSE(writer.has_value());
  CHECK(writer.error().sys_errno() == ENXIO);
}

TEST_CASE("rename_noreplace never replaces an existing name", "[fileio]") {
  temp_dir dir;
  const std::string from = dir / "from", to = dir / "to";
  raftvault::testing::write_bytes(from, "new");
  raftvault::testing::write_bytes(to, "theirs");
  auto refused = rename_noreplace(from, to);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().sys_errno() == EEXIST);
  CHECK(raftvault::testing::read_bytes(to) == "theirs");
  CHECK(raftvault::testing::read_bytes(from) == "new");
  REQUIRE(::unlink(to.c_str()) == 0);
  REQUIRE(rename_noreplace(from, to));
  CHECK(raftvault::testing::read_bytes(to) == "new");
  CHECK_FALSE(exists(from));
}

TEST_CASE("a closed stdout gets a stand-in that fails writes, not the next file opened", "[fileio]") {
  temp_dir dir;
  const std::string path = dir / "LOCK";
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    // Exit codes say which check failed; nothing else may run in the child.
    ::close(STDOUT_FILENO);
    auto fds = protect_standard_fds();
    if (!fds || !fds->stdout_closed || fds->stdin_closed || fds->stderr_closed) ::_exit(2);
    if (!standard_fds_at_start().stdout_closed) ::_exit(3);
    auto opened = file::open(path, O_RDWR | O_CREAT);
    if (!opened || opened->fd() == STDOUT_FILENO) ::_exit(4);
    if (::write(STDOUT_FILENO, "secret\n", 7) >= 0 || errno != ENOSPC) ::_exit(5);
    ::_exit(0);
  }
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(raftvault::testing::read_bytes(path).empty());
}
