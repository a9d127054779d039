// Files whose contents are secret (an unlock key file, a TLS private key PEM) read straight into
// guarded memory through the file layer, so the bytes never pass through a std::string that
// nobody wipes, and the reads keep the file layer's fault hooks.
#pragma once

#include <cstdint>
#include <string>

#include "fileio/file.h"
#include "keys/secret_bytes.h"

namespace raftvault::keys {

// All of `f`, at most `limit` bytes. A regular file's size is checked before anything is read.
// A pipe or FIFO (`--unlock-key-file <(cat key)`) has no size: it is read until end of input,
// never more than `limit` + 1 bytes, and one that ends before any byte (nobody writes to it) is
// refused. Anything else with no end or no business holding a key (a terminal, /dev/zero, a
// disk) is refused without reading. Refusals are errc::invalid_argument naming f.path() and,
// for size, the limit; a directory fails its read (EISDIR).
result<secret_bytes> read_secret(const fileio::file& f, std::uint64_t limit);

// The same for the file at `path`, opened read-only (never waiting for a FIFO's writer).
result<secret_bytes> read_secret_file(const std::string& path, std::uint64_t limit);

}  // namespace raftvault::keys
