#include "keys/secret_file.h"

#include <fcntl.h>

namespace raftvault::keys {

result<secret_bytes> read_secret(const fileio::file& f, std::uint64_t size) {
  RV_ASSIGN(auto secret, secret_bytes::allocate(static_cast<std::size_t>(size)));
  if (size != 0) RV_TRY(f.pread_exact(secret.data(), secret.size(), 0));
  return secret;
}

result<secret_bytes> read_secret_file(const std::string& path) {
  RV_ASSIGN(auto f, fileio::file::open(path, O_RDONLY));
  RV_ASSIGN(auto size, f.size());
  return read_secret(f, size);
}

}  // namespace raftvault::keys
