// The open loop's pacing: arrival k is due at start + k / rate, with no drift over millions
// of arrivals, and due_by counts exactly the arrivals due at a time.
#include "bench/pipeline_open_loop.h"

#include <catch2/catch.hpp>

using namespace raftvault::bench;
using namespace std::chrono_literals;

TEST_CASE("open loop: arrivals are evenly spaced from the start without drift", "[bench]") {
  const auto t0 = std::chrono::steady_clock::time_point{} + 1h;
  const arrival_schedule every_ms(t0, 1000);
  CHECK(every_ms.at(0) == t0);
  CHECK(every_ms.at(1) == t0 + 1ms);
  CHECK(every_ms.at(2500) == t0 + 2500ms);

  const arrival_schedule thirds(t0, 3);  // 333,333,333.3 ns apart: rounding must not accumulate
  CHECK(thirds.at(3) == t0 + 1s);
  CHECK(thirds.at(3'000'000) == t0 + 1'000'000s);
  CHECK(thirds.at(1) == t0 + 333'333'333ns);
}

TEST_CASE("open loop: due_by counts the arrivals due at a time", "[bench]") {
  const auto t0 = std::chrono::steady_clock::time_point{} + 1h;
  const arrival_schedule s(t0, 1000);
  CHECK(s.due_by(t0 - 1ns) == 0);
  CHECK(s.due_by(t0) == 1);
  CHECK(s.due_by(t0 + 999us) == 1);
  CHECK(s.due_by(t0 + 1ms) == 2);
  CHECK(s.due_by(t0 + 1s) == 1001);
  const arrival_schedule thirds(t0, 3);
  for (std::uint64_t k = 0; k < 50; ++k) {
    INFO("arrival " << k);
    CHECK(thirds.due_by(thirds.at(k)) == k + 1);
    CHECK(thirds.due_by(thirds.at(k) - 1ns) == k);
  }
}
