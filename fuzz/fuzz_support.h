// Shared by the fuzz targets: fixed test keys (so that seed inputs sealed under them open), a
// scratch directory, and the check that turns a broken property into a crash that libFuzzer
// saves together with the input that caused it.
#pragma once

#include <cstdint>
#include <string>

#include "codec/cipher.h"
#include "keys/unlock_key.h"
#include "raftlog/payload_codec.h"

namespace raftvault::fuzz {

// Prints "fuzz check failed at file:line: what" and aborts.
[[noreturn]] void check_failed(const char* file, int line, const std::string& what);

#define FUZZ_CHECK(condition, what)                                                  \
  do {                                                                               \
    if (!(condition)) ::raftvault::fuzz::check_failed(__FILE__, __LINE__, (what));   \
  } while (false)

// The test DEKs: generation 1 is bytes 0x00..0x1f (the secretbox key of the etcd golden
// vectors), generation 2 is bytes 0x20..0x3f. Any other generation is refused (abort).
raftlog::held_key test_dek(std::uint32_t generation);

// The test unlock key: bytes 0x40..0x5f.
const keys::unlock_key& test_unlock_key();

// A directory for this process's scratch files, on /dev/shm when it exists (else $TMPDIR or
// /tmp), removed at a normal exit.
const std::string& scratch_dir();

}  // namespace raftvault::fuzz
