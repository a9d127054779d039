#include "codec/crc32c.h"

#include <array>
#include <cstring>

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

namespace raftvault::codec {
namespace {

constexpr std::uint32_t kCastagnoliReversed = 0x82F63B78u;

// Slicing-by-8 tables: the portable path still does ~1 GB/s.
struct portable_tables {
  std::array<std::array<std::uint32_t, 256>, 8> t{};
  constexpr portable_tables() {
    for (std::uint32_t i = 0; i < 256; ++i) {
      std::uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c >> 1) ^ ((c & 1u) ? kCastagnoliReversed : 0u);
      t[0][i] = c;
    }
    for (std::uint32_t i = 0; i < 256; ++i)
      for (std::size_t s = 1; s < 8; ++s) t[s][i] = (t[s - 1][i] >> 8) ^ t[0][t[s - 1][i] & 0xFF];
  }
};
constexpr portable_tables kTables;

using update_fn = std::uint32_t (*)(std::uint32_t, const void*, std::size_t);

update_fn choose_implementation() {
  return crc32c_hardware_available() ? crc32c_update_sse42 : crc32c_update_portable;
}

}  // namespace

std::uint32_t crc32c_update_portable(std::uint32_t crc, const void* data, std::size_t size) {
  const auto* p = static_cast<const unsigned char*>(data);
  std::uint32_t c = ~crc;
  while (size >= 8) {
    std::uint32_t lo, hi;
    std::memcpy(&lo, p, 4);
    std::memcpy(&hi, p + 4, 4);
    lo ^= c;
    c = kTables.t[7][lo & 0xFF] ^ kTables.t[6][(lo >> 8) & 0xFF] ^
        kTables.t[5][(lo >> 16) & 0xFF] ^ kTables.t[4][lo >> 24] ^
        kTables.t[3][hi & 0xFF] ^ kTables.t[2][(hi >> 8) & 0xFF] ^
        kTables.t[1][(hi >> 16) & 0xFF] ^ kTables.t[0][hi >> 24];
    p += 8;
    size -= 8;
  }
  while (size--) c = kTables.t[0][(c ^ *p++) & 0xFF] ^ (c >> 8);
  return ~c;
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) std::uint32_t crc32c_update_sse42(std::uint32_t crc,
                                                                     const void* data,
                                                                     std::size_t size) {
  const auto* p = static_cast<const unsigned char*>(data);
  std::uint64_t c = ~crc;
  while (size >= 8) {
    std::uint64_t word;
    std::memcpy(&word, p, 8);
    c = _mm_crc32_u64(c, word);
    p += 8;
    size -= 8;
  }
  auto c32 = static_cast<std::uint32_t>(c);
  while (size--) c32 = _mm_crc32_u8(c32, *p++);
  return ~c32;
}

bool crc32c_hardware_available() { return __builtin_cpu_supports("sse4.2"); }
#else
std::uint32_t crc32c_update_sse42(std::uint32_t crc, const void* data, std::size_t size) {
  return crc32c_update_portable(crc, data, size);
}
bool crc32c_hardware_available() { return false; }
#endif

std::uint32_t crc32c_update(std::uint32_t crc, const void* data, std::size_t size) {
  static const update_fn implementation = choose_implementation();
  return implementation(crc, data, size);
}

}  // namespace raftvault::codec
