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
