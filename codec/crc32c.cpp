#include "codec/crc32c.h"

#include <array>
#include <cstring>

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

namespace raftvault::codec {
namespace {

constexpr std::uint32_t kCastagnoliReversed = 0x82F63B78u;

// Slicing-by-8 tables: eight bytes per step, so the portable path is not byte-at-a-time slow.
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
namespace {

// One crc32 instruction has a latency of 3 cycles but a throughput of 1 per cycle, so a single
// dependency chain runs at a third of the unit's speed. Long inputs are cut into three equal
// lanes hashed in one loop; the lanes are then joined with the CRC's linearity:
//   crc(A || B) = shift(crc(A), |B|) ^ crc0(B)
// where shift(x, n) is x run through n zero bytes -- a GF(2)-linear map, applied by table.
struct lane_shift {
  std::array<std::array<std::uint32_t, 256>, 4> table{};

  __attribute__((target("sse4.2"))) explicit lane_shift(std::size_t lane_bytes) {
    std::array<std::uint32_t, 32> basis{};
    for (int bit = 0; bit < 32; ++bit) {
      std::uint64_t c = std::uint64_t{1} << bit;
      for (std::size_t i = 0; i < lane_bytes / 8; ++i) c = _mm_crc32_u64(c, 0);
      basis[static_cast<std::size_t>(bit)] = static_cast<std::uint32_t>(c);
    }
    for (std::size_t k = 0; k < 4; ++k)
      for (std::uint32_t b = 0; b < 256; ++b)
        for (std::size_t j = 0; j < 8; ++j)
          if (b & (1u << j)) table[k][b] ^= basis[8 * k + j];
  }

  std::uint32_t operator()(std::uint32_t c) const {
    return table[0][c & 0xFF] ^ table[1][(c >> 8) & 0xFF] ^ table[2][(c >> 16) & 0xFF] ^
           table[3][c >> 24];
  }
};

// Hashes as many 3 x lane_bytes chunks as fit; returns the raw (uninverted) register.
template <std::size_t LaneBytes>
__attribute__((target("sse4.2"))) std::uint64_t crc_three_lanes(std::uint64_t c,
                                                                 const unsigned char*& p,
                                                                 std::size_t& size) {
  static const lane_shift shift(LaneBytes);
  while (size >= 3 * LaneBytes) {
    std::uint64_t c1 = 0, c2 = 0;
    const unsigned char* const end = p + LaneBytes;
    for (; p < end; p += 8) {
      std::uint64_t w0, w1, w2;
      std::memcpy(&w0, p, 8);
      std::memcpy(&w1, p + LaneBytes, 8);
      std::memcpy(&w2, p + 2 * LaneBytes, 8);
      c = _mm_crc32_u64(c, w0);
      c1 = _mm_crc32_u64(c1, w1);
      c2 = _mm_crc32_u64(c2, w2);
    }
    c = shift(shift(static_cast<std::uint32_t>(c)) ^ static_cast<std::uint32_t>(c1)) ^
        static_cast<std::uint32_t>(c2);
    p += 2 * LaneBytes;
    size -= 3 * LaneBytes;
  }
  return c;
}

}  // namespace

__attribute__((target("sse4.2"))) std::uint32_t crc32c_update_sse42(std::uint32_t crc,
                                                                     const void* data,
                                                                     std::size_t size) {
  const auto* p = static_cast<const unsigned char*>(data);
  std::uint64_t c = ~crc;
  c = crc_three_lanes<1024>(c, p, size);  // 3 KiB chunks: a 4 KiB entry takes one
  c = crc_three_lanes<128>(c, p, size);
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


namespace {

// crc(A || B) = shift(crc(A), |B|) ^ crc(B) for finished CRCs (the inversions cancel), where
// shift(x, n) runs the raw register x through n zero bytes: a GF(2)-linear map. The maps for
// n = 2^k bytes are kept as byte tables; shifting by n applies those of n's set bits.
struct zero_operators {
  static constexpr int kPowers = 64;
  std::array<std::array<std::array<std::uint32_t, 256>, 4>, kPowers> table{};

  zero_operators() {
    // Column `bit` of the map for one zero byte: the register 1 << bit after 8 zero bits.
    std::array<std::uint32_t, 32> columns{};
    for (int bit = 0; bit < 32; ++bit) {
      std::uint32_t c = 1u << bit;
      for (int k = 0; k < 8; ++k) c = (c >> 1) ^ ((c & 1u) ? kCastagnoliReversed : 0u);
      columns[static_cast<std::size_t>(bit)] = c;
    }
    for (int power = 0; power < kPowers; ++power) {
      fill(table[static_cast<std::size_t>(power)], columns);
      // The map for twice as many bytes: this one applied twice.
      std::array<std::uint32_t, 32> squared{};
      for (std::size_t bit = 0; bit < 32; ++bit) squared[bit] = apply(power, columns[bit]);
      columns = squared;
    }
  }

  static void fill(std::array<std::array<std::uint32_t, 256>, 4>& t,
                   const std::array<std::uint32_t, 32>& columns) {
    for (std::size_t k = 0; k < 4; ++k)
      for (std::uint32_t b = 0; b < 256; ++b) {
        std::uint32_t image = 0;
        for (std::size_t j = 0; j < 8; ++j)
          if (b & (1u << j)) image ^= columns[8 * k + j];
        t[k][b] = image;
      }
  }

  std::uint32_t apply(int power, std::uint32_t c) const {
    const auto& t = table[static_cast<std::size_t>(power)];
    return t[0][c & 0xFF] ^ t[1][(c >> 8) & 0xFF] ^ t[2][(c >> 16) & 0xFF] ^ t[3][c >> 24];
  }
};

}  // namespace

std::uint32_t crc32c_combine(std::uint32_t crc1, std::uint32_t crc2, std::uint64_t len2) {
  static const zero_operators ops;
  std::uint32_t c = crc1;
  for (int power = 0; len2 != 0; ++power, len2 >>= 1)
    if (len2 & 1u) c = ops.apply(power, c);
  return c ^ crc2;
}

}  // namespace raftvault::codec
