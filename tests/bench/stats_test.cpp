// The harness's percentiles: exact below 256 ns, within 0.8% above, clamped to what was seen.
#include "bench/stats.h"

#include <catch2/catch.hpp>

using namespace raftvault::bench;

TEST_CASE("percentiles of small values are exact", "[bench]") {
  latency_histogram h;
  for (std::uint64_t v = 1; v <= 100; ++v) h.record(v);
  CHECK(h.percentile(50) == 50);
  CHECK(h.percentile(99) == 99);
  CHECK(h.percentile(100) == 100);
  CHECK(h.percentile(0) == 1);
  CHECK(h.count() == 100);
  CHECK(h.mean() == Approx(50.5));
}

TEST_CASE("percentiles of large values stay within the bucket resolution", "[bench]") {
  latency_histogram h;
  for (std::uint64_t i = 1; i <= 1000; ++i) h.record(i * 10'000);  // 10 us .. 10 ms
  for (double p : {50.0, 90.0, 99.0, 99.9}) {
    const double exact = p / 100.0 * 1000 * 10'000;
    CHECK(static_cast<double>(h.percentile(p)) >= exact);
    CHECK(static_cast<double>(h.percentile(p)) <= exact * 1.008);
  }
  CHECK(h.percentile(100) == 10'000'000);  // clamped to the largest value, not its bucket's bound
}

TEST_CASE("an empty histogram reports zeros and merging adds counts", "[bench]") {
  latency_histogram a, b;
  CHECK(a.percentile(50) == 0);
  CHECK(a.max() == 0);
  a.record(std::uint64_t{1000});
  b.record(std::uint64_t{3000});
  b.record(std::uint64_t{5000});
  a.merge(b);
  CHECK(a.count() == 3);
  CHECK(a.min() == 1000);
  CHECK(a.max() == 5000);
  CHECK(a.percentile(50) >= 3000);
  CHECK(a.percentile(50) < 3000 * 1.008);
}

TEST_CASE("every bucket's upper bound maps back to that bucket", "[bench]") {
  using coarse = log_linear_buckets<5>;
  for (std::size_t bucket = 0; bucket + 1 < coarse::kCount; ++bucket) {
    INFO("bucket " << bucket);
    CHECK(coarse::bucket_of(coarse::upper_bound_of(bucket)) == bucket);
    CHECK(coarse::bucket_of(coarse::upper_bound_of(bucket) + 1) == bucket + 1);
  }
  CHECK(coarse::bucket_of(~0ull) == coarse::kCount - 1);
}
