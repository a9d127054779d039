// A failed init or import leaves the data directory exactly as it was (absent stays absent, an
// empty directory stays, files of the user's stay) and the same command with the fault fixed
// then succeeds: each case checks the exit code, the one-line message, every entry and mode
// below the directory before and after, and the retry.
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <sstream>

#include "cli_fixtures.h"
#include "fileio/file.h"
#include "keys/tls_key.h"

using namespace raftvault;
using namespace raftvault::testing;
namespace fs = std::filesystem;

namespace {

// Every entry at and below `dir` with its mode, directories marked, files with their digest;
// "absent" when there is nothing at `dir`.
std::string dir_state(const std::string& dir) {
  if (!fs::exists(fs::symlink_status(dir))) return "absent";
  std::vector<std::string> lines;
  auto describe = [&lines](const fs::path& path, const std::string& name) {
    const auto st = fs::symlink_status(path);
    std::ostringstream line;
    line << name << " " << std::oct << static_cast<unsigned>(st.permissions()) << " ";
    if (fs::is_directory(st)) {
      line << "dir";
    } else {
      line << sha256_hex(read_bytes(path.string()));
    }
    lines.push_back(line.str());
  };
  describe(dir, ".");
  if (fs::is_directory(fs::symlink_status(dir)))
      for (const auto& entry : fs::recursive_directory_iterator(dir))
      describe(entry.path(), fs::relative(entry.path(), dir).string());
  std::sort(lines.begin(), lines.end());
  std::string out;
  for (const auto& line : lines) out += line + "\n";
  return out;
}

bool one_line(const std::string& text) {
  return !text.empty() && text.back() == '\n' && text.find('\n') == text.size() - 1;
}

// The expected stderr: "raftvault: " + starts ... contains ... ends + "\n".
struct expected_error {
  std::string starts;
  std::string contains;
  std::string ends;
};

// Runs a command that must fail and leave `data_dir` untouched.
void expect_clean_failure(const std::vector<std::string>& args, const std::string& data_dir,
                          const expected_error& expected) {
  const std::string before = dir_state(data_dir);
  auto r = run_raftvault(args);
  INFO(args[0] << " " << data_dir << ": " << r.err);
  CHECK(r.exit_code == 1);
  CHECK(one_line(r.err));
  CHECK_THAT(r.err, Catch::StartsWith("raftvault: " + expected.starts) && Catch::Contains(expected.contains) &&
                        Catch::EndsWith(expected.ends + "\n"));
  CHECK(r.out.empty());  // no unlock key for a store that is not there
  CHECK(dir_state(data_dir) == before);
}

// A new store is there and opens (with its unlock key when the command printed one).
void expect_store(const std::string& data_dir, const run_result& created) {
  INFO(created.err);
  REQUIRE(created.exit_code == 0);
  std::map<std::string, std::string> env;
  if (!created.out.empty()) env["RAFTVAULT_UNLOCK_KEY"] = created.out;
  auto verified = run_raftvault({"verify", "--data-dir", data_dir}, env);
  INFO(verified.err);
  CHECK(verified.exit_code == 0);
}

std::string valid_tls_pem() {
  auto der = keys::generate_tls_key();
  REQUIRE(der);
  auto pem = keys::plain_pkcs8_pem(*der);
  REQUIRE(pem);
  return std::string(pem->view());
}

enum class before_run { absent, empty_dir };

// The data directory as the user left it before the command.
std::string prepare(const temp_dir& dir, const std::string& name, before_run state) {
  const std::string path = dir / name;
  if (state == before_run::empty_dir) {
    fs::create_directory(path);
    fs::permissions(path, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec);  // 0750: kept
  }
  return path;
}

std::vector<std::string> with(std::vector<std::string> args, const std::vector<std::string>& more) {
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

const std::vector<std::string> kSmallSegments = {"--segment-size", "262144"};

}  // namespace

TEST_CASE("a bad --tls-key fails init and import before anything is created", "[cli][cleanup]") {
  vector_copy source;
  const temp_dir& dir = source.dir;
  const std::string good = dir / "good.pem";
  write_bytes(good, valid_tls_pem());
  const std::string empty = dir / "empty.pem", not_a_key = dir / "not-a-key.pem", truncated = dir / "truncated.pem",
                    unreadable = dir / "a-directory.pem", encrypted = dir / "encrypted.pem";
  write_bytes(empty, "");
  write_bytes(not_a_key, "hello\n");
  const std::string full = read_bytes(good);
  write_bytes(truncated, full.substr(0, full.size() / 2));
  REQUIRE(fileio::make_dir(unreadable));
  write_bytes(encrypted, "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n");
  const std::string not_pem = ": TLS key is not an unencrypted PEM private key: ";
  struct tls_case {
    std::string pem;
    expected_error error;
  };
  const std::vector<tls_case> cases = {
      {empty,
       {"cannot use --tls-key " + empty + ": the file is empty (expected an unencrypted PEM private key)", "", ""}},
      {not_a_key, {"cannot use --tls-key " + not_a_key + not_pem, "", ""}},
      {truncated, {"cannot use --tls-key " + truncated + not_pem, "", ""}},
      {encrypted, {"cannot use --tls-key " + encrypted + not_pem, "", ""}},
      {unreadable, {"cannot read --tls-key " + unreadable + ": read " + unreadable + ": Is a directory", "", ""}},
  };
  int n = 0;
  for (const auto state : {before_run::absent, before_run::empty_dir}) {
    for (const auto& c : cases) {
      for (const std::string command : {"init", "import"}) {
        const std::string data_dir = prepare(dir, "store" + std::to_string(n++), state);
        const std::vector<std::string> base =
            command == "init" ? with({"init", "--data-dir", data_dir, "--autolock"}, kSmallSegments)
                              : with({"import", "--wal-dir", source.wal, "--snap-dir", source.snap, "--data-dir",
                                      data_dir, "--autolock"},
                                     kSmallSegments);
        expect_clean_failure(with(base, {"--tls-key", c.pem}), data_dir, c.error);
        CHECK(dir_state(data_dir) == (state == before_run::absent ? "absent" : ". 750 dir\n"));
        expect_store(data_dir, run_raftvault(with(base, {"--tls-key", good})));
      }
    }
  }
}

TEST_CASE("an import of a damaged source removes the keys it created", "[cli][cleanup]") {
  vector_copy good;
  vector_copy damaged;
  const std::string segment = damaged.wal + "/0000000000000000-0000000000000000.wal";
  fs::permissions(segment, fs::perms::owner_write, fs::perm_options::add);
  auto bytes = read_bytes(segment);
  bytes[5000] = static_cast<char>(bytes[5000] ^ 0x40);
  write_bytes(segment, bytes);
  int n = 0;
  for (const auto state : {before_run::absent, before_run::empty_dir}) {
    for (const std::string cipher : {"xchacha20poly1305", "none"}) {
      const std::string data_dir = prepare(good.dir, "store" + std::to_string(n++), state);
      auto args = [&](const vector_copy& source) {
        return with({"import", "--wal-dir", source.wal, "--snap-dir", source.snap, "--data-dir", data_dir,
                     "--cipher", cipher, "--autolock"},
                    kSmallSegments);
      };
      // The keys exist (and, encrypted, the migration's temp directories) when the source is
      // found damaged.
      expect_clean_failure(args(damaged), data_dir,
                           {"", segment + " at byte offset 2536: CRC mismatch (record says ",
                            ": the source " + damaged.wal + " is damaged; nothing was imported"});
      CHECK(dir_state(data_dir) == (state == before_run::absent ? "absent" : ". 750 dir\n"));
      expect_store(data_dir, run_raftvault(args(good)));
    }
  }
}

TEST_CASE("a failure after key creation keeps what the user had in the data dir", "[cli][cleanup]") {
  vector_copy source;
  const std::string notes = "the user's own file\n";
  SECTION("init: a WAL directory that is not empty") {
    const std::string data_dir = source.dir / "store";
    REQUIRE(fileio::make_dir(data_dir));
    REQUIRE(fileio::make_dir(data_dir + "/wal-v3-encrypted"));
    write_bytes(data_dir + "/wal-v3-encrypted/notes.txt", notes);
    // keys/ and snap-v3-encrypted/ are made, then the WAL is refused: both go, notes.txt stays.
    expect_clean_failure({"init", "--data-dir", data_dir, "--autolock"}, data_dir,
                         {"create " + data_dir + ": cannot create WAL: " + data_dir +
                              "/wal-v3-encrypted exists and is not empty",
                          "", ""});
    CHECK(read_bytes(data_dir + "/wal-v3-encrypted/notes.txt") == notes);
    fs::rename(data_dir + "/wal-v3-encrypted", source.dir / "moved-away");
    expect_store(data_dir, run_raftvault({"init", "--data-dir", data_dir, "--autolock"}));
  }
  SECTION("import: a snap directory that holds files") {
    const std::string data_dir = source.dir / "store";
    REQUIRE(fileio::make_dir(data_dir));
    REQUIRE(fileio::make_dir(data_dir + "/snap-v3-encrypted"));
    write_bytes(data_dir + "/snap-v3-encrypted/notes.txt", notes);
    const std::vector<std::string> args =
        with({"import", "--wal-dir", source.wal, "--snap-dir", source.snap, "--data-dir", data_dir}, kSmallSegments);
    expect_clean_failure(args, data_dir,
                         {"migrate " + source.wal + " to " + data_dir + ": " + data_dir +
                              "/snap-v3-encrypted already exists and holds files (not left by an interrupted copy)",
                          "", ""});
    CHECK(read_bytes(data_dir + "/snap-v3-encrypted/notes.txt") == notes);
    fs::remove_all(data_dir + "/snap-v3-encrypted");
    expect_store(data_dir, run_raftvault(args));
  }
  SECTION("import: an empty snap directory, replaced by the copy, is back after a failure") {
    vector_copy damaged;
    const std::string segment = damaged.wal + "/0000000000000001-0000000000000039.wal";
    fs::permissions(segment, fs::perms::owner_write, fs::perm_options::add);
    auto bytes = read_bytes(segment);
    bytes[3000] = static_cast<char>(bytes[3000] ^ 0x01);
    write_bytes(segment, bytes);
    for (const std::string cipher : {"secretbox", "none"}) {
      const std::string data_dir = source.dir / ("store-" + cipher);
      const std::string snap_dir = data_dir + (cipher == "none" ? "/snap-v3" : "/snap-v3-encrypted");
      REQUIRE(fileio::make_dir(data_dir));
      REQUIRE(fileio::make_dir(snap_dir, 0750));
      auto args = [&](const vector_copy& from) {
        return with({"import", "--wal-dir", from.wal, "--snap-dir", from.snap, "--data-dir", data_dir, "--cipher",
                     cipher},
                    kSmallSegments);
      };
      expect_clean_failure(args(damaged), data_dir,
                           {"", segment + " at byte offset ",
                            "the source " + damaged.wal + " is damaged; nothing was imported"});
      CHECK(dir_state(snap_dir) == ". 750 dir\n");
      expect_store(data_dir, run_raftvault(args(source)));
    }
  }
  SECTION("init: the key file cannot be written in an existing keys/") {
    // keys/LOCK is made, then node.key's temp file cannot be: LOCK goes, keys/ and the
    // directory in the way stay.
    const std::string data_dir = source.dir / "store";
    REQUIRE(fileio::make_dir(data_dir));
    REQUIRE(fileio::make_dir(data_dir + "/keys"));
    REQUIRE(fileio::make_dir(data_dir + "/keys/node.key.tmp"));
    write_bytes(data_dir + "/keys/node.key.tmp/notes.txt", notes);
    expect_clean_failure({"init", "--data-dir", data_dir}, data_dir,
                         {"open " + data_dir + "/keys/node.key.tmp: Is a directory", "", ""});
    CHECK_FALSE(fileio::exists(data_dir + "/keys/LOCK"));
    fs::remove_all(data_dir + "/keys/node.key.tmp");
    expect_store(data_dir, run_raftvault({"init", "--data-dir", data_dir}));
  }
  SECTION("init: another process holds keys/LOCK") {
    // Another init creating a store here: nothing of its may go.
    const std::string data_dir = source.dir / "store";
    REQUIRE(fileio::make_dir(data_dir));
    REQUIRE(fileio::make_dir(data_dir + "/keys"));
    {
      auto held = fileio::exclusive_lock::acquire(data_dir + "/keys/LOCK");
      REQUIRE(held);
      expect_clean_failure({"init", "--data-dir", data_dir}, data_dir,
                           {data_dir + "/keys/LOCK is locked by another process (is a raftvault writer or service "
                                       "still running on this directory?)",
                            "", ""});
    }
    expect_store(data_dir, run_raftvault({"init", "--data-dir", data_dir}));
  }
  SECTION("a data dir that is a file, or whose parent is missing") {
    const std::string file = source.dir / "a-file";
    write_bytes(file, notes);
    expect_clean_failure({"init", "--data-dir", file}, file,
                         {"--data-dir " + file + " exists and is not a directory", "", ""});
    const std::string orphan = source.dir / "missing/store";
    expect_clean_failure({"init", "--data-dir", orphan}, source.dir / "missing",
                         {"mkdir " + orphan + ": No such file or directory", "", ""});
  }
}

TEST_CASE("an unlock key that cannot be written to stdout removes the new store", "[cli][cleanup]") {
  vector_copy source;
  const std::string err_path = source.dir / "stderr";
  // `> /dev/full`: the write of the key fails (ENOSPC) as on a full disk.
  auto run_to_full_disk = [&](const std::vector<std::string>& args) {
    std::string command = "'" + std::string(RAFTVAULT_BIN_DIR) + "/raftvault'";
    for (const auto& arg : args) command += " '" + arg + "'";
    command += " > /dev/full 2> '" + err_path + "'";
    const int status = std::system(command.c_str());
    REQUIRE(WIFEXITED(status));
    return WEXITSTATUS(status);
  };
  int n = 0;
  for (const auto state : {before_run::absent, before_run::empty_dir}) {
    for (const std::string command : {"init", "import"}) {
      const std::string data_dir = prepare(source.dir, "store" + std::to_string(n++), state);
      const std::vector<std::string> args =
          command == "init" ? with({"init", "--data-dir", data_dir, "--autolock"}, kSmallSegments)
                            : with({"import", "--wal-dir", source.wal, "--snap-dir", source.snap, "--data-dir",
                                    data_dir, "--autolock"},
                                   kSmallSegments);
      const std::string before = dir_state(data_dir);
      CHECK(run_to_full_disk(args) == 1);
      CHECK(read_bytes(err_path) ==
            "raftvault: cannot write the new unlock key to stdout: without it the new store could never be "
            "opened, so it is removed\n");
      CHECK(dir_state(data_dir) == before);
      expect_store(data_dir, run_raftvault(args));
    }
  }
}

TEST_CASE("an unlock key written to a pipe nobody reads removes the new store", "[cli][cleanup]") {
  // The pipe's read end is closed before the child starts: the key's write raises SIGPIPE,
  // which the CLI ignores so that the write fails (EPIPE) and the store is removed.
  vector_copy source;
  const std::string data_dir = source.dir / "store";
  const std::string err_path = source.dir / "stderr";
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  ::close(fds[0]);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::dup2(fds[1], STDOUT_FILENO);
    const int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(err, STDERR_FILENO);
    const std::string binary = std::string(RAFTVAULT_BIN_DIR) + "/raftvault";
    ::execl(binary.c_str(), binary.c_str(), "init", "--data-dir", data_dir.c_str(), "--autolock",
            static_cast<char*>(nullptr));
    _exit(127);
  }
  ::close(fds[1]);
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  INFO(read_bytes(err_path));
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 1);
  CHECK_THAT(read_bytes(err_path), Catch::Contains("cannot write the new unlock key to stdout"));
  CHECK_FALSE(std::filesystem::exists(data_dir));
}
