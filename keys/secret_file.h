// Files whose contents are secret (an unlock key file, a TLS private key PEM) read straight into
// guarded memory through the file layer, so the bytes never pass through a std::string that
// nobody wipes, and the reads keep the file layer's fault hooks.
#pragma once

#include <cstdint>
#include <string>

#include "fileio/file.h"
#include "keys/secret_bytes.h"

namespace raftvault::keys {

// The first `size` bytes of `f`. A shorter file is errc::corruption naming the offset (as
// fileio::file::pread_exact).
result<secret_bytes> read_secret(const fileio::file& f, std::uint64_t size);

// The whole file at `path`, opened read-only; errors are those of fileio::read_file.
result<secret_bytes> read_secret_file(const std::string& path);

}  // namespace raftvault::keys
