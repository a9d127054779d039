// The --csv time series: completions bucketed by completion time into 100 ms intervals, each
// with its own p50/p99, and rotation/snapshot markers in the interval they happened in.
#include "bench/time_series.h"

#include <catch2/catch.hpp>

using namespace raftvault::bench;
using namespace std::chrono_literals;

TEST_CASE("time series: a completion lands in the interval of its completion time", "[bench]") {
  const auto t0 = std::chrono::steady_clock::now();
  time_series series(t0, 1s);
  CHECK(series.intervals() == 10);
  CHECK(series.interval_of(t0 - 5ms) == 0);
  CHECK(series.interval_of(t0) == 0);
  CHECK(series.interval_of(t0 + 99ms) == 0);
  CHECK(series.interval_of(t0 + 100ms) == 1);
  CHECK(series.interval_of(t0 + 999ms) == 9);
  CHECK(series.interval_of(t0 + 5s) == 9);  // past the planned length: the last interval
  CHECK(time_series(t0, 1050ms).intervals() == 11);
  CHECK(time_series(t0, 0s).intervals() == 1);
}

TEST_CASE("time series: rows carry rates, percentiles and markers per interval", "[bench]") {
  const auto t0 = std::chrono::steady_clock::now();
  time_series series(t0, 1s);
  for (int i = 0; i < 100; ++i) series.record(t0 + 10ms, 1000 * (i + 1), 2);  // 1..100 us
  series.record(t0 + 250ms, 5'000'000, 1);
  series.mark(t0 + 120ms, time_series::event::rotation);
  series.mark(t0 + 260ms, time_series::event::snapshot);

  const auto rows = series.rows();
  REQUIRE(rows.size() == 3);  // up to the last interval with anything in it
  CHECK(rows[0].appends == 100);
  CHECK(rows[0].entries == 200);
  CHECK(rows[0].entries_per_sec == Approx(2000));
  CHECK(rows[0].p50_us >= 50);
  CHECK(rows[0].p50_us <= 50 * 1.04);
  CHECK(rows[0].p99_us >= 99);
  CHECK(rows[0].p99_us <= 99 * 1.04);
  CHECK(rows[1].appends == 0);
  CHECK(rows[1].rotations == 1);
  CHECK(rows[1].p50_us == 0);
  CHECK(rows[2].start_seconds == Approx(0.2));
  CHECK(rows[2].snapshots == 1);
  CHECK(rows[2].p99_us >= 5000);

  const std::string csv = series.csv();
  CHECK(csv.rfind("t_s,appends,entries,entries_per_sec,p50_us,p99_us,rotations,snapshots\n", 0) == 0);
  CHECK(csv.find("\n0.100,0,0,0,0.0,0.0,1,0\n") != std::string::npos);
}
