// raftvault-bench pipeline's options for durability runs: --rotate-every, --reopen, --ack-log,
// --no-raw-disk, and times with units.
#include "bench/options.h"

#include <catch2/catch.hpp>

using namespace raftvault;
using namespace raftvault::bench;

namespace {

std::string refusal(const std::vector<std::string>& args) {
  auto parsed = parse_pipeline_options(args);
  REQUIRE_FALSE(parsed);
  CHECK(parsed.error().code() == errc::invalid_argument);
  return parsed.error().message();
}

}  // namespace

TEST_CASE("times take seconds, an s or an ms suffix", "[bench]") {
  CHECK(parse_seconds("--x", "3").value() == Approx(3));
  CHECK(parse_seconds("--x", "2.5s").value() == Approx(2.5));
  CHECK(parse_seconds("--x", "300ms").value() == Approx(0.3));
  for (const char* bad : {"", "ms", "s", "3h", "-1", "1.5.2", "300 ms"}) {
    auto parsed = parse_seconds("--x", bad);
    REQUIRE_FALSE(parsed);
    CHECK(parsed.error().message() == std::string("--x ") + bad + ": not a time (e.g. 3, 2.5, 2.5s or 300ms)");
  }
}

TEST_CASE("pipeline: --rotate-every alone rotates from its period on, as long as the run lasts", "[bench]") {
  auto o = parse_pipeline_options({"--duration", "10", "--rotate-every", "300ms"});
  REQUIRE(o);
  CHECK(o->rotation_gap == Approx(0.3));
  CHECK(o->rotate_at == Approx(0.3));
  CHECK(o->rotations == ~std::uint64_t{0});

  auto counted = parse_pipeline_options({"--rotate-at", "1", "--rotations", "3", "--rotate-every", "0.5"});
  REQUIRE(counted);
  CHECK(counted->rotate_at == Approx(1));
  CHECK(counted->rotations == 3);
  CHECK(counted->rotation_gap == Approx(0.5));

  auto defaults = parse_pipeline_options({"--rotate-at", "1"});
  REQUIRE(defaults);
  CHECK(defaults->rotation_gap == Approx(0.25));
  CHECK(defaults->rotations == 1);

  CHECK(refusal({"--rotate-every", "5ms"}) == "--rotate-every 5ms: at least 10ms");
}

TEST_CASE("pipeline: --reopen keeps the store it appends to and needs --data-dir", "[bench]") {
  auto o = parse_pipeline_options({"--data-dir", "/var/tmp/x", "--reopen", "--ack-log", "/var/tmp/acks",
                                   "--no-raw-disk"});
  REQUIRE(o);
  CHECK(o->reopen);
  CHECK(o->keep);
  CHECK(o->ack_log == "/var/tmp/acks");
  CHECK_FALSE(o->raw_disk);
  CHECK(parse_pipeline_options({}).value().raw_disk);

  CHECK(refusal({"--reopen"}) == "--reopen: needs --data-dir DIR (the store to append to)");
  CHECK(refusal({"--ack-log", ""}) == "--ack-log: empty path");
  CHECK(refusal({"--alternate-plaintext", "--duration", "4", "--ack-log", "a"}) ==
        "--alternate-plaintext: cannot be combined with --reopen, --ack-log or --rotate-every");
}

TEST_CASE("pipeline: --rate takes appends per second with k or M, --snapshot-every a time", "[bench]") {
  auto o = parse_pipeline_options({"--rate", "2.5k", "--snapshot-every", "500ms", "--csv", "/var/tmp/s.csv"});
  REQUIRE(o);
  CHECK(o->rate == Approx(2500));
  CHECK(o->snapshot_every == Approx(0.5));
  CHECK(o->csv_file == "/var/tmp/s.csv");
  CHECK(parse_rate("--rate", "1M").value() == Approx(1e6));
  CHECK(refusal({"--rate", "0"}) == "--rate 0: not a rate (appends per second above 0, e.g. 5000, 2.5k, 1M)");
  CHECK(refusal({"--rate", "fast"}) == "--rate fast: not a rate (appends per second above 0, e.g. 5000, 2.5k, 1M)");
  CHECK(refusal({"--snapshot-every", "1ms"}) == "--snapshot-every 1ms: at least 10ms");
  CHECK(refusal({"--rate", "100", "--alternate-plaintext", "--duration", "4"}) ==
        "--alternate-plaintext: cannot be combined with --rate, --snapshot-every or --csv");
}

TEST_CASE("output: --json alone prints JSON, --json FILE or --json=FILE writes it to the file", "[bench]") {
  auto alone = parse_pipeline_options({"--json", "--producers", "2"});
  REQUIRE(alone);
  CHECK(alone->json);
  CHECK(alone->json_file.empty());
  CHECK(alone->producers == 2);
  auto to_file = parse_pipeline_options({"--json", "out.json", "--producers", "2"});
  REQUIRE(to_file);
  CHECK_FALSE(to_file->json);
  CHECK(to_file->json_file == "out.json");
  auto inline_file = parse_wal_options({"--json=w.json"});
  REQUIRE(inline_file);
  CHECK(inline_file->json_file == "w.json");
  CHECK(parse_ceiling_options({"--json"}).value().json);
}

TEST_CASE("rotation, ceiling, recovery and all: defaults and refusals", "[bench]") {
  auto rot = parse_rotation_options({"--duration", "3"});
  REQUIRE(rot);
  CHECK(rot->producers == 64);
  CHECK(rot->rotate_at == Approx(1));
  CHECK(rot->rotations == 12);
  CHECK(rot->duration == Approx(3));

  auto ceiling = parse_ceiling_options({"--block", "300", "--duration", "100ms"});
  REQUIRE(ceiling);
  CHECK(ceiling->block == 300);
  CHECK(ceiling->duration == Approx(0.1));
  CHECK(parse_ceiling_options({"--duration", "10ms"}).error().message() ==
        "--duration 10ms: at least 50ms per measurement");

  auto recovery = parse_recovery_options({"--store-size", "4MiB", "--no-cold"});
  REQUIRE(recovery);
  CHECK(recovery->store_size == (4u << 20));
  CHECK_FALSE(recovery->cold);
  CHECK(parse_recovery_options({}).value().store_size == (1ull << 30));
  CHECK(parse_recovery_options({"--store-size", "1k"}).error().message() ==
        "--store-size: smaller than one entry (--size)");

  auto all = parse_all_options({"--quick", "--csv", "r.csv", "--json", "a.json"});
  REQUIRE(all);
  CHECK(all->quick);
  CHECK(all->csv_file == "r.csv");
  CHECK(all->json_file == "a.json");
  CHECK(parse_all_options({"--store-size", "64k"}).error().message() == "--store-size: at least 1MiB");
}
