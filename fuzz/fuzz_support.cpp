#include "fuzz/fuzz_support.h"

#include <stdlib.h>
#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

namespace raftvault::fuzz {
namespace {

// Three consecutive 32-byte keys: DEK generation 1, DEK generation 2, the unlock key.
struct key_bytes {
  unsigned char bytes[3 * codec::kKeyBytes];
  key_bytes() {
    for (std::size_t i = 0; i < sizeof bytes; ++i) bytes[i] = static_cast<unsigned char>(i);
  }
};

const unsigned char* key_at(std::size_t slot) {
  static const key_bytes keys;
  return keys.bytes + slot * codec::kKeyBytes;
}

}  // namespace

void check_failed(const char* file, int line, const std::string& what) {
  std::fprintf(stderr, "fuzz check failed at %s:%d: %s\n", file, line, what.c_str());
  std::abort();
}

raftlog::held_key test_dek(std::uint32_t generation) {
  FUZZ_CHECK(generation == 1 || generation == 2,
             "no test DEK of generation " + std::to_string(generation));
  return raftlog::held_key{codec::key_ref{generation, key_at(generation - 1)}, nullptr};
}

const keys::unlock_key& test_unlock_key() {
  static const keys::unlock_key kek = [] {
    auto made = keys::unlock_key::from_bytes(
        std::string_view(reinterpret_cast<const char*>(key_at(2)), codec::kKeyBytes));
    FUZZ_CHECK(made.has_value(), "test unlock key: " + made.error().describe());
    return std::move(made).value();
  }();
  return kek;
}

namespace {

// tmpfs when there is one: a file rewritten for every input on ext4 is flushed when it is
// closed (auto_da_alloc), which would make the disk, not the code, the fuzzer's bottleneck.
class scratch {
 public:
  scratch() {
    struct stat st {};
    const char* env = std::getenv("TMPDIR");
    const std::string base = ::stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) ? "/dev/shm"
                             : env != nullptr && *env != 0                      ? env
                                                                                : "/tmp";
    std::string pattern = base + "/raftvault-fuzz-XXXXXX";
    FUZZ_CHECK(::mkdtemp(pattern.data()) != nullptr, "mkdtemp " + pattern);
    path_ = pattern;
  }
  ~scratch() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace

const std::string& scratch_dir() {
  static const scratch dir;
  return dir.path();
}

}  // namespace raftvault::fuzz
