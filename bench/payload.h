// Benchmark payloads: deterministic pseudo-random bytes, so nothing downstream (a future
// compressor, a filesystem) gets an unrealistically easy job from zeros.
#pragma once

#include <cstdint>
#include <string>

namespace raftvault::bench {

inline std::string make_payload(std::uint64_t size, std::uint64_t seed = 0x9e3779b97f4a7c15ull) {
  std::string bytes(size, '\0');
  std::uint64_t state = seed;
  for (auto& byte : bytes) {
    state ^= state << 13;  // xorshift64
    state ^= state >> 7;
    state ^= state << 17;
    byte = static_cast<char>(state >> 56);
  }
  return bytes;
}

}  // namespace raftvault::bench
