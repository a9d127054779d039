// How `all` judges a target and the ceilings' arithmetic behind the ratios.
#include "bench/ceiling.h"
#include "bench/targets.h"

#include <catch2/catch.hpp>

using namespace raftvault::bench;

TEST_CASE("a target passes on the right side of its limit and reports value / limit", "[bench]") {
  const target floor{"floor", target::bound::at_least, 20, 25.0, ""};
  CHECK(floor.passes());
  CHECK(floor.ratio() == Approx(1.25));
  CHECK(floor.line().find("ratio 1.25  PASS") != std::string::npos);
  const target ceiling{"ceiling", target::bound::at_most, 1.3, 2.6, ""};
  CHECK_FALSE(ceiling.passes());
  CHECK(ceiling.ratio() == Approx(2));
  CHECK(ceiling.line().find("target <= 1.3") != std::string::npos);
  CHECK(ceiling.line().find("MISS") != std::string::npos);
  CHECK(target{"edge", target::bound::at_most, 0, 0.0, ""}.passes());
  CHECK(ceiling.json() ==
        R"({"name": "ceiling", "op": "<=", "limit": 1.3000, "value": 2.6000, "ratio": 2.0000, "verdict": "MISS"})");
}

TEST_CASE("a target not measured neither passes nor claims a ratio", "[bench]") {
  const target missing{"etcd", target::bound::at_least, 3, std::nullopt, "needs etcd"};
  CHECK_FALSE(missing.passes());
  CHECK(missing.ratio() == 0);
  CHECK(missing.line().find("NOT MEASURED: needs etcd") != std::string::npos);
  CHECK(missing.json().find(R"("verdict": "NOT MEASURED", "note": "needs etcd")") != std::string::npos);
}

TEST_CASE("ceiling arithmetic: rates, fractions and the best durable write", "[bench]") {
  CHECK(mb_per_sec(2e6, 0.5) == Approx(4));
  CHECK(mb_per_sec(1e6, 0) == 0);
  CHECK(fraction_of(70, 100) == Approx(0.7));
  CHECK(fraction_of(70, 0) == 0);

  ceilings c;
  CHECK(c.best_durable() == nullptr);
  const auto run_of = [](std::initializer_list<std::uint64_t> nanos) {
    raw_disk_run run;
    for (auto n : nanos) run.write_and_sync.record(n);
    run.blocks = nanos.size();
    return run;
  };
  c.durable.push_back({raw_io::buffered, run_of({40'000, 50'000, 60'000})});
  c.durable.push_back({raw_io::dsync, run_of({30'000, 35'000, 90'000})});
  c.durable.push_back({raw_io::direct, raw_disk_run{}});  // nothing measured: never the best
  REQUIRE(c.best_durable() != nullptr);
  CHECK(c.best_durable()->io == raw_io::dsync);
  CHECK(c.durable_mode(raw_io::buffered)->run.blocks == 3);
  CHECK(c.durable_mode(raw_io::rwf_dsync) == nullptr);
  CHECK(std::string(to_string(raw_io::direct_rwf_dsync)) == "direct_rwf_dsync");
}
