// secret_bytes and the unlock key's text form and sources.
#include <catch2/catch.hpp>
#include <sstream>
#include <pty.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <thread>

#include <cerrno>
#include <cstdlib>

#include "fileio/fault_injection.h"
#include "keys/secret_bytes.h"
#include "keys/secret_file.h"
#include "keys/unlock_key.h"
#include "keys/unlock_key_source.h"
#include "support/test_support.h"

using namespace raftvault;
using namespace raftvault::keys;
namespace rt = raftvault::testing;

TEST_CASE("secret_bytes is guarded, compared in constant time, moved and never printed", "[keys]") {
  auto a = secret_bytes::copy_of("0123456789abcdef0123456789abcdef");
  REQUIRE(a.has_value());
  auto b = a->clone();
  REQUIRE(b.has_value());
  CHECK(a->equals(*b));
  b->data()[5] ^= 1;
  CHECK_FALSE(a->equals(*b));
  CHECK_FALSE(a->equals(std::string_view("short")));
  std::ostringstream printed;
  printed << *a;
  CHECK(printed.str() == "secret(32 bytes, fingerprint " + a->fingerprint() + ")");
  CHECK(printed.str().find("0123456789") == std::string::npos);
  CHECK(a->fingerprint().size() == 8u);
  CHECK(a->fingerprint() != b->fingerprint());
  secret_bytes moved = std::move(a.value());
  CHECK(moved.size() == 32u);
  CHECK(a->empty());  // NOLINT: the moved-from value is empty, not dangling
  auto r1 = secret_bytes::random(32);
  auto r2 = secret_bytes::random(32);
  REQUIRE((r1 && r2));
  CHECK_FALSE(r1->equals(*r2));
}

TEST_CASE("secret files are read whole into guarded memory through the file layer", "[keys]") {
  rt::temp_dir dir;
  const std::string path = dir / "tls.pem";
  const std::string pem = "-----BEGIN PRIVATE KEY-----\nnot really a key\n-----END PRIVATE KEY-----\n";
  rt::write_bytes(path, pem);
  auto whole = read_secret_file(path, 4096);
  REQUIRE(whole.has_value());
  CHECK(whole->view() == pem);

  rt::write_bytes(dir / "empty", "");
  auto empty = read_secret_file(dir / "empty", 4096);
  REQUIRE(empty.has_value());
  CHECK(empty->empty());

  auto missing = read_secret_file(dir / "missing", 4096);
  REQUIRE_FALSE(missing.has_value());
  CHECK(missing.error().code() == errc::io);
  CHECK(missing.error().message() == "open " + (dir / "missing") + ": No such file or directory");

  fileio::inject_fault(fileio::op::read, 1, EIO);
  auto failed = read_secret_file(path, 4096);
  fileio::clear_faults();
  REQUIRE_FALSE(failed.has_value());
  CHECK(failed.error().code() == errc::io);
  CHECK(failed.error().message() == "read " + path + ": Input/output error");
}

TEST_CASE("unlock key text form round-trips and detects typos by checksum", "[keys]") {
  auto key = unlock_key::generate();
  REQUIRE(key.has_value());
  auto text = key->text();
  REQUIRE(text.has_value());
  const std::string t(text->view());
  CHECK(t.size() == kUnlockKeyTextSize);
  CHECK(t.substr(0, 7) == "RVKEK1-");
  auto parsed = unlock_key::parse("  " + t + "\n");
  REQUIRE(parsed.has_value());
  CHECK(parsed->same_as(*key));
  std::string lower = t;
  for (std::size_t i = 7; i < lower.size(); ++i) lower[i] = static_cast<char>(std::tolower(lower[i]));
  auto parsed_lower = unlock_key::parse(lower);
  REQUIRE(parsed_lower.has_value());
  CHECK(parsed_lower->same_as(*key));

  std::string typo = t;
  typo[20] = typo[20] == 'A' ? 'B' : 'A';
  std::string bad_char = t;
  bad_char[30] = '1';
  struct bad_case { std::string input; std::string message; };
  const std::vector<bad_case> cases{
      {typo, "malformed unlock key (checksum)"},
      {bad_char, "malformed unlock key (invalid character at position 31)"},
      {t.substr(0, 62), "malformed unlock key (length: expected 63 characters, got 62)"},
      {"SWMKEY-1-abc", "malformed unlock key (it must start with RVKEK1-)"},
      {"", "malformed unlock key (it must start with RVKEK1-)"},
  };
  for (const auto& c : cases) {
    auto r = unlock_key::parse(c.input);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code() == errc::invalid_argument);
    CHECK(r.error().message() == c.message);
  }
}

TEST_CASE("unlock keys come from a private file, the environment or a terminal", "[keys]") {
  rt::temp_dir dir;
  auto key = unlock_key::generate();
  REQUIRE(key.has_value());
  const std::string text(key->text()->view());
  const std::string path = dir / "unlock.key";
  rt::write_bytes(path, text + "\n");
  ::chmod(path.c_str(), 0600);
  auto from_file = read_unlock_key_file(path);
  REQUIRE(from_file.has_value());
  CHECK(from_file->same_as(*key));

  ::chmod(path.c_str(), 0644);
  auto loose = read_unlock_key_file(path);
  REQUIRE_FALSE(loose.has_value());
  CHECK(loose.error().code() == errc::invalid_argument);
  CHECK(loose.error().message() == "unlock key file " + path +
                                       " has mode 0644; it must not be accessible by group or "
                                       "others (chmod 600)");

  ::setenv("RAFTVAULT_TEST_UNLOCK_KEY", text.c_str(), 1);
  auto from_env = read_unlock_key_env("RAFTVAULT_TEST_UNLOCK_KEY");
  REQUIRE(from_env.has_value());
  CHECK(from_env->same_as(*key));
  ::setenv("RAFTVAULT_TEST_UNLOCK_KEY", "RVKEK1-nope", 1);
  auto malformed = read_unlock_key_env("RAFTVAULT_TEST_UNLOCK_KEY");
  REQUIRE_FALSE(malformed.has_value());
  CHECK(malformed.error().message() ==
        "environment variable RAFTVAULT_TEST_UNLOCK_KEY: malformed unlock key (length: expected "
        "63 characters, got 11)");
  ::unsetenv("RAFTVAULT_TEST_UNLOCK_KEY");
  auto unset = read_unlock_key_env("RAFTVAULT_TEST_UNLOCK_KEY");
  REQUIRE_FALSE(unset.has_value());
  CHECK(unset.error().code() == errc::not_found);
  CHECK(unset.error().message() == "environment variable RAFTVAULT_TEST_UNLOCK_KEY is not set");

  // A regular file is not a terminal: the prompt refuses rather than reading it with echo on.
  auto no_tty = prompt_unlock_key("Unlock key: ", path);
  REQUIRE_FALSE(no_tty.has_value());
  CHECK(no_tty.error().code() == errc::not_found);
  CHECK(no_tty.error().message() == path + " is not a terminal");
}

namespace {

// Runs prompt_unlock_key on a pseudo-terminal; once the prompt shows, types `input` into it.
result<unlock_key> prompt_on_pty(const std::string& input) {
  int master = -1, slave = -1;
  char name[256] = {};
  REQUIRE(::openpty(&master, &slave, name, nullptr, nullptr) == 0);
  bool typed = false;  // checked here: Catch's assertions are not for other threads
  std::thread typist([master, input, &typed] {
    // Typed only after the prompt: the prompt flushes input typed before it (TCSAFLUSH).
    std::string seen;
    char c = 0;
    while (seen.find("key: ") == std::string::npos && ::read(master, &c, 1) == 1) seen.push_back(c);
    typed = ::write(master, input.data(), input.size()) == static_cast<ssize_t>(input.size());
  });
  auto key = prompt_unlock_key("Unlock key: ", name);
  typist.join();
  CHECK(typed);
  ::close(slave);
  ::close(master);
  return key;
}

}  // namespace

TEST_CASE("the unlock-key prompt: a typed key is read, nothing typed is no key", "[keys][unlock]") {
  auto key = unlock_key::generate();
  REQUIRE(key);
  auto typed = prompt_on_pty(std::string(key->text().value().view()) + "\n");
  REQUIRE(typed);
  CHECK(typed->same_as(*key));
  const std::string eof(1, '\x04');  // Ctrl-D at the start of a line: end of input
  for (const std::string& input : {std::string("\n"), eof}) {
    auto nothing = prompt_on_pty(input);
    REQUIRE_FALSE(nothing);
    CHECK(nothing.error().code() == errc::not_found);
    CHECK_THAT(nothing.error().message(), Catch::StartsWith("no unlock key was entered at /dev/pts/"));
  }
  auto garbage = prompt_on_pty("RVKEK1-nope\n");
  REQUIRE_FALSE(garbage);
  CHECK(garbage.error().code() != errc::not_found);
}
