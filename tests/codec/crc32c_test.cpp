#include "codec/crc32c.h"

#include <catch2/catch.hpp>
#include <random>
#include <string>

using namespace raftvault::codec;

TEST_CASE("crc32c matches the standard check value", "[crc32c]") {
  const std::string check = "123456789";
  CHECK(crc32c_update_portable(0, check.data(), check.size()) == 0xE3069283u);
  CHECK(crc32c_update_sse42(0, check.data(), check.size()) == 0xE3069283u);
  CHECK(crc32c_update(0, check) == 0xE3069283u);
  CHECK(crc32c_update(0, "") == 0u);
}

TEST_CASE("crc32c hardware and portable paths agree on random data and chain", "[crc32c]") {
  std::mt19937_64 rng(42);
  for (int round = 0; round < 200; ++round) {
    std::string data(rng() % 5000, '\0');
    for (auto& c : data) c = static_cast<char>(rng());
    const auto split = data.empty() ? 0 : rng() % data.size();
    const auto whole = crc32c_update_portable(0, data.data(), data.size());
    CHECK(crc32c_update_sse42(0, data.data(), data.size()) == whole);
    // Chaining over a split equals one pass over the whole: the WAL's running CRC relies on it.
    const auto first = crc32c_update(0, data.data(), split);
    CHECK(crc32c_update(first, data.data() + split, data.size() - split) == whole);
  }
}

TEST_CASE("crc32c hardware path agrees at its lane boundaries and unaligned starts", "[crc32c]") {
  // The SSE4.2 path hashes 3 x 1024 and 3 x 128 byte chunks in three lanes and joins them;
  // sizes on and around those chunk sizes exercise every join and the single-lane tail.
  std::mt19937_64 rng(7);
  std::string data(3 * 3 * 1024 + 64, '\0');
  for (auto& c : data) c = static_cast<char>(rng());
  for (std::size_t size : {383u, 384u, 385u, 767u, 768u, 3071u, 3072u, 3073u, 3456u, 4096u,
                           6144u, 6527u, 9216u, 9280u}) {
    for (std::size_t offset : {0u, 1u, 3u, 7u}) {
      if (offset + size > data.size()) continue;
      INFO("size " << size << " offset " << offset);
      CHECK(crc32c_update_sse42(0x12345678u, data.data() + offset, size) ==
            crc32c_update_portable(0x12345678u, data.data() + offset, size));
    }
  }
}

TEST_CASE("crc32c_combine chains a CRC computed apart, at every split of random data",
          "[crc32c]") {
  std::mt19937_64 rng(7);
  std::string data(20000, '\0');
  for (auto& c : data) c = static_cast<char>(rng());
  const std::uint32_t seed = crc32c_update(0, "etcd's running chain");
  for (std::size_t split = 0; split <= data.size(); split += split < 64 ? 1 : 997) {
    const std::string_view a(data.data(), split);
    const std::string_view b(data.data() + split, data.size() - split);
    const auto whole = crc32c_update(crc32c_update(seed, a), b);
    const auto apart = crc32c_combine(crc32c_update(seed, a),
                                             crc32c_update(0, b), b.size());
    INFO("split " << split);
    REQUIRE(apart == whole);
  }
  // An empty B changes nothing; a long B of zeros exercises the high powers.
  CHECK(crc32c_combine(seed, 0, 0) == seed);
  const std::string zeros(3u << 20, '\0');
  CHECK(crc32c_combine(seed, crc32c_update(0, zeros), zeros.size()) ==
        crc32c_update(seed, zeros));
}
