// Inputs that are not what they seem, through the real binary: key files given as pipes, FIFOs
// nobody writes to, devices and absurd sizes; WAL directories that cannot be read; damaged
// import sources. Each is used or refused with its real cause (exit 1), never a hang, never a
// misleading "no store" or "malformed key".
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "cli_fixtures.h"
#include "fileio/file.h"

using namespace raftvault;
using namespace raftvault::testing;
namespace fs = std::filesystem;

namespace {

void expect_failure(const run_result& r, const std::string& err) {
  CHECK(r.exit_code == 1);
  CHECK(r.err == err);
  CHECK(r.out.empty());
}

}  // namespace

TEST_CASE("an unlock key file given as a pipe opens the store", "[cli][input]") {
  temp_dir dir;
  const std::string store = dir / "store";
  auto created = run_raftvault({"init", "--data-dir", store, "--autolock"});
  REQUIRE(created.exit_code == 0);
  // `--unlock-key-file <(cat key)`: the child inherits the pipe's read end, its write end closed.
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  REQUIRE(::write(fds[1], created.out.data(), created.out.size()) == static_cast<ssize_t>(created.out.size()));
  ::close(fds[1]);
  auto status = run_raftvault({"status", "--data-dir", store, "--unlock-key-file", "/dev/fd/" + std::to_string(fds[0])});
  ::close(fds[0]);
  INFO(status.err);
  CHECK(status.exit_code == 0);
  CHECK_THAT(status.out, Catch::Contains("autolock         on"));
}

TEST_CASE("key inputs that are FIFOs, devices or too large are refused at once, naming why", "[cli][input]") {
  temp_dir dir;
  const std::string store = dir / "store";
  auto created = run_raftvault({"init", "--data-dir", store, "--autolock"});
  REQUIRE(created.exit_code == 0);
  const std::string fifo = dir / "key.fifo";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  const std::string fifo_refused = fifo + " is a pipe or FIFO that ended before any byte (no writer?)";

  expect_failure(run_raftvault({"status", "--data-dir", store, "--unlock-key-file", fifo}),
                 "raftvault: --unlock-key-file " + fifo + ": " + fifo_refused + "\n");
  const std::string big_key = dir / "big.key";
  write_bytes(big_key, created.out + std::string(5000, '\0'));
  ::chmod(big_key.c_str(), 0600);
  expect_failure(run_raftvault({"status", "--data-dir", store, "--unlock-key-file", big_key}),
                 "raftvault: --unlock-key-file " + big_key + ": " + big_key + " is " +
                     std::to_string(created.out.size() + 5000) + " bytes, more than the limit of 4096 bytes\n");

  const std::string new_store = dir / "new";
  expect_failure(run_raftvault({"init", "--data-dir", new_store, "--tls-key", fifo}),
                 "raftvault: cannot read --tls-key " + fifo + ": " + fifo_refused + "\n");
  expect_failure(run_raftvault({"init", "--data-dir", new_store, "--tls-key", "/dev/zero"}),
                 "raftvault: cannot read --tls-key /dev/zero: /dev/zero is not a regular file or a pipe (it is a "
                 "character device)\n");
  const std::string huge = dir / "huge.pem";
  write_bytes(huge, "");
  REQUIRE(::truncate(huge.c_str(), 2LL << 30) == 0);  // sparse: NUL-padded, never read
  expect_failure(run_raftvault({"init", "--data-dir", new_store, "--tls-key", huge}),
                 "raftvault: cannot read --tls-key " + huge + ": " + huge +
                     " is 2147483648 bytes, more than the limit of 1048576 bytes\n");
  CHECK_FALSE(fileio::exists(new_store));

  const std::string key_file = store + "/keys/node.key";
  REQUIRE(::truncate(key_file.c_str(), 2LL << 30) == 0);
  auto status = run_raftvault({"status", "--data-dir", store}, {{"RAFTVAULT_UNLOCK_KEY", created.out}});
  CHECK(status.exit_code == 1);
  CHECK_THAT(status.err, Catch::StartsWith("raftvault: key file " + key_file +
                                           " is 2147483648 bytes, more than the limit of 1048576 bytes: it is "
                                           "damaged or not a raftvault key file"));
}

TEST_CASE("a WAL that cannot be read is named with its cause, not taken for no store", "[cli][input]") {
  temp_dir dir;
  const std::string store = dir / "store";
  REQUIRE(run_raftvault({"init", "--data-dir", store}).exit_code == 0);
  const std::string wal = store + "/wal-v3-encrypted";
  SECTION("a file in place of the WAL directory") {
    fs::rename(wal, dir / "moved");
    write_bytes(wal, "");
    expect_failure(run_raftvault({"status", "--data-dir", store}),
                   "raftvault: cannot read the store in " + store + ": list directory " + wal +
                       ": Not a directory\n");
  }
  SECTION("a segment that cannot be opened") {
    const std::string segment = wal + "/0000000000000001-0000000000000001.wal";
    fs::create_symlink(dir / "nowhere", segment);
    expect_failure(run_raftvault({"verify", "--data-dir", store}),
                   "raftvault: cannot read the store in " + store + ": open " + segment +
                       ": No such file or directory\n");
    vector_copy source;
    const std::string source_segment = source.wal + "/0000000000000001-0000000000000039.wal";
    fs::remove(source_segment);
    fs::create_symlink(dir / "nowhere", source_segment);
    expect_failure(run_raftvault({"import", "--wal-dir", source.wal, "--data-dir", dir / "imported"}),
                   "raftvault: cannot read --wal-dir " + source.wal + ": open " + source_segment +
                       ": No such file or directory\n");
    CHECK_FALSE(fileio::exists(dir / "imported"));
  }
}

TEST_CASE("a damaged import source is damaged data (exit 1), not a usage error", "[cli][input]") {
  vector_copy source;
  const std::string middle = "0000000000000001-0000000000000039.wal";
  for (const std::string damage : {"missing middle segment", "CRC error"}) {
    for (const std::string cipher : {"xchacha20poly1305", "none"}) {
      vector_copy damaged;
      const std::string segment = damaged.wal + "/" + middle;
      if (damage == "missing middle segment") {
        fs::remove(segment);
      } else {
        fs::permissions(segment, fs::perms::owner_write, fs::perm_options::add);
        auto bytes = read_bytes(segment);
        bytes[3000] = static_cast<char>(bytes[3000] ^ 0x01);
        write_bytes(segment, bytes);
      }
      const std::string data_dir = source.dir / ("store-" + cipher);
      auto r = run_raftvault({"import", "--wal-dir", damaged.wal, "--snap-dir", damaged.snap, "--data-dir", data_dir,
                              "--cipher", cipher, "--autolock", "--segment-size", "262144"});
      INFO(damage << ", " << cipher << ": " << r.err);
      CHECK(r.exit_code == 1);
      CHECK_THAT(r.err, Catch::EndsWith(": the source " + damaged.wal + " is damaged; nothing was imported\n"));
      CHECK(r.out.empty());
      CHECK_FALSE(fileio::exists(data_dir));
    }
  }
}
