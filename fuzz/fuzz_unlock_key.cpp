// Unlock-key text as an operator types or stores it (keys/unlock_key: "RVKEK1-" + 56 base32
// characters with a checksum), parsed directly and read from a 0600 file
// (read_unlock_key_file); and the other direction: the first 32 input bytes as a key, shown as
// text and parsed back.
// Properties: a key parses only from its canonical text (trimmed, upper-cased) and shows as
// exactly that; the file reader agrees with the parser; a refusal never echoes the input;
// every key's text parses back to the same key.
#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz/fuzz_support.h"
#include "keys/unlock_key.h"
#include "keys/unlock_key_source.h"
#include "support/test_support.h"

using namespace raftvault;
using namespace raftvault::keys;

namespace {

std::string canonical(std::string_view text) {
  const auto space = [](char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; };
  while (!text.empty() && space(text.front())) text.remove_prefix(1);
  while (!text.empty() && space(text.back())) text.remove_suffix(1);
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](char c) { return static_cast<char>(std::toupper(static_cast<unsigned char>(c))); });
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string path = fuzz::scratch_dir() + "/unlock.key";
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  auto parsed = unlock_key::parse(text);
  if (parsed) {
    auto shown = parsed->text();
    FUZZ_CHECK(shown.has_value(), "text: " + shown.error().describe());
    FUZZ_CHECK(shown->view() == canonical(text), "a key parsed from a non-canonical text");
  } else {
    FUZZ_CHECK(parsed.error().code() == errc::invalid_argument &&
                   parsed.error().message().rfind("malformed unlock key (", 0) == 0,
               "refused as " + parsed.error().describe());
    // The messages quote the prefix itself; anything longer that starts with it is the input.
    const std::string typed = canonical(text);
    FUZZ_CHECK(typed.size() <= kUnlockKeyPrefix.size() || typed.rfind(kUnlockKeyPrefix, 0) != 0 ||
                   parsed.error().message().find(std::string(text)) == std::string::npos,
               "the refusal echoes the input");
  }

  testing::write_bytes(path, std::string(text));
  ::chmod(path.c_str(), 0600);
  auto from_file = read_unlock_key_file(path);
  if (size <= 4096) {
    FUZZ_CHECK(from_file.has_value() == parsed.has_value(), "the file reader and parse disagree");
    if (from_file) FUZZ_CHECK(from_file->same_as(*parsed), "the file reader read another key");
  } else {
    FUZZ_CHECK(!from_file, "an oversized unlock key file was read");
  }

  if (size >= codec::kKeyBytes) {
    auto key = unlock_key::from_bytes(text.substr(0, codec::kKeyBytes));
    FUZZ_CHECK(key.has_value(), "from_bytes: " + key.error().describe());
    auto shown = key->text();
    FUZZ_CHECK(shown.has_value(), "text: " + shown.error().describe());
    auto back = unlock_key::parse(shown->view());
    FUZZ_CHECK(back && back->same_as(*key), "a key's text does not parse back to it");
  }
  return 0;
}
