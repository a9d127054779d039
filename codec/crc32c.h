// CRC-32C (Castagnoli), the checksum of etcd's WAL and .snap files. Same convention as Go's
// crc32.Update: the running value is passed in and returned post-inverted, so chaining
// crc32c_update(crc32c_update(0, a), b) == crc32c_update(0, a || b).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace raftvault::codec {

std::uint32_t crc32c_update(std::uint32_t crc, const void* data, std::size_t size);
inline std::uint32_t crc32c_update(std::uint32_t crc, std::string_view bytes) {
  return crc32c_update(crc, bytes.data(), bytes.size());
}

// The CRC of A || B from crc1 = crc32c_update(0, A), crc2 = crc32c_update(0, B) and |B|:
//   crc32c_update(crc1, B) == crc32c_combine(crc1, crc2, |B|)
// so B's CRC can be computed elsewhere (another thread) and chained on later in a few table
// lookups per set bit of |B|, instead of reading B again.
std::uint32_t crc32c_combine(std::uint32_t crc1, std::uint32_t crc2, std::uint64_t len2);

// Both implementations stay callable so tests can check them against each other.
std::uint32_t crc32c_update_portable(std::uint32_t crc, const void* data, std::size_t size);
std::uint32_t crc32c_update_sse42(std::uint32_t crc, const void* data, std::size_t size);
bool crc32c_hardware_available();

}  // namespace raftvault::codec
