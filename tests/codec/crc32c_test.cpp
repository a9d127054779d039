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
