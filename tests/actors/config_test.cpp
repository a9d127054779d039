// The raftvault option group (DESIGN.md §5): read from an ini stream, the command line and
// code; production defaults; invalid values refused naming the option; the scheduler latency
// defaults of §5.1 applied unless the user set them.
#include <catch2/catch.hpp>

#include <sstream>
#include <thread>

#include <caf/actor_system.hpp>
#include <caf/scheduler/abstract_coordinator.hpp>

#include "actors/config.h"

using namespace raftvault;
using namespace raftvault::actors;

namespace {

// Parses `args` and `ini` into a fresh pipeline_config; CAF's own parse error fails the test.
std::unique_ptr<pipeline_config> parsed(std::vector<std::string> args, const std::string& ini = "") {
  auto config = std::make_unique<pipeline_config>();
  std::istringstream stream(ini);
  auto err = config->parse(std::move(args), stream);
  INFO(caf::to_string(err));
  REQUIRE_FALSE(err);
  return config;
}

std::int64_t integer_option(const caf::actor_system_config& config, const char* name) {
  auto value = caf::get_if<caf::config_value::integer>(&caf::content(config), name);
  REQUIRE(value);
  return *value;
}

}  // namespace

TEST_CASE("config: every option is read from a caf-application.ini stream", "[actors][config]") {
  auto config = parsed({}, R"([raftvault]
data-dir="/srv/raft/node-1"
cipher="secretbox"
segment-size=1048576
max-inflight-bytes=8388608
crypto-workers=4
crypto-inline-bytes=4096
snapshot-keep=5
unlock-key-file="/etc/raftvault/unlock"
create-if-missing=true
autolock=true
metadata="node-1"
rotation-retry-ms=250
)");
  auto options = read_options(*config);
  INFO((options ? std::string() : options.error().describe()));
  REQUIRE(options);
  CHECK(options->data_dir == "/srv/raft/node-1");
  CHECK(options->cipher == codec::cipher::secretbox);
  CHECK(options->segment_size == 1048576);
  CHECK(options->max_inflight_bytes == 8388608);
  CHECK(options->crypto_workers == 4);
  CHECK(options->crypto_inline_bytes == 4096);
  CHECK(options->snapshot_keep == 5);
  CHECK(options->unlock_key_file == "/etc/raftvault/unlock");
  CHECK(options->create_if_missing);
  CHECK(options->autolock);
  CHECK(options->metadata == "node-1");
  CHECK(options->rotation_retry_ms == 250);
}

TEST_CASE("config: the command line sets options and wins over the ini file", "[actors][config]") {
  auto config = parsed({"--raftvault.data-dir=/from/cli", "--raftvault.cipher=none",
                        "--raftvault.segment-size=131072", "--raftvault.crypto-workers=8"},
                       "[raftvault]\ndata-dir=\"/from/ini\"\nsnapshot-keep=7\n");
  auto options = read_options(*config);
  INFO((options ? std::string() : options.error().describe()));
  REQUIRE(options);
  CHECK(options->data_dir == "/from/cli");
  CHECK(options->cipher == codec::cipher::none);
  CHECK(options->segment_size == 131072);
  CHECK(options->crypto_workers == 8);
  CHECK(options->snapshot_keep == 7);  // from the ini: the command line did not set it
}

TEST_CASE("config: options set from code, everything else keeps its default", "[actors][config]") {
  pipeline_config config;
  config.set("raftvault.data-dir", "/from/code");
  config.set("raftvault.max-inflight-bytes", caf::config_value::integer{1 << 20});
  auto options = read_options(config);
  INFO((options ? std::string() : options.error().describe()));
  REQUIRE(options);
  const pipeline_options defaults;
  CHECK(options->data_dir == "/from/code");
  CHECK(options->max_inflight_bytes == 1u << 20);
  // The production defaults of config.h, and a new store is encrypted with autolock off.
  CHECK(options->cipher == codec::cipher::xchacha20poly1305);
  CHECK(options->segment_size == 64'000'000);
  CHECK(options->crypto_workers == defaults.crypto_workers);
  CHECK(options->crypto_inline_bytes == defaults.crypto_inline_bytes);
  CHECK(options->snapshot_keep == defaults.snapshot_keep);
  CHECK(options->rotation_retry_ms == defaults.rotation_retry_ms);
  CHECK(options->unlock_key_file.empty());
  CHECK_FALSE(options->create_if_missing);
  CHECK_FALSE(options->autolock);
  CHECK(options->detach_io);
}

TEST_CASE("config: invalid values are refused at start, naming the option", "[actors][config]") {
  struct refused_case {
    std::vector<std::string> args;
    const char* message;
  };
  const std::vector<refused_case> cases = {
      {{}, "option raftvault.data-dir: is required"},
      {{"--raftvault.data-dir=/d", "--raftvault.segment-size=-1"},
       "option raftvault.segment-size: -1 is out of range"},
      {{"--raftvault.data-dir=/d", "--raftvault.max-inflight-bytes=-4096"},
       "option raftvault.max-inflight-bytes: -4096 is out of range"},
      {{"--raftvault.data-dir=/d", "--raftvault.segment-size=1024"},
       "option raftvault.segment-size: 1024 is out of range [65536, "},
      {{"--raftvault.data-dir=/d", "--raftvault.cipher=rot13"}, "option raftvault.cipher: "},
      {{"--raftvault.data-dir=/d", "--raftvault.crypto-workers=0"},
       "option raftvault.crypto-workers: 0 is out of range [1, 64]"},
      {{"--raftvault.data-dir=/d", "--raftvault.snapshot-keep=0"},
       "option raftvault.snapshot-keep: 0 is out of range [1, 1000]"},
      {{"--raftvault.data-dir=/d", "--raftvault.rotation-retry-ms=0"},
       "option raftvault.rotation-retry-ms: 0 is out of range"},
  };
  for (const auto& c : cases) {
    INFO(c.message);
    auto config = parsed(c.args);
    auto options = read_options(*config);
    REQUIRE_FALSE(options);
    CHECK(options.error().code() == errc::invalid_argument);
    CHECK_THAT(options.error().message(), Catch::StartsWith(c.message));
  }
  // A value of the wrong type on the command line: CAF's parser refuses it, naming the argument.
  pipeline_config config;
  std::istringstream empty;
  auto refused = config.parse({"--raftvault.segment-size=big"}, empty);
  REQUIRE(refused);
  CHECK_THAT(caf::to_string(refused), Catch::Contains("--raftvault.segment-size=big"));
}

TEST_CASE("config: the scheduler latency defaults are set unless overridden", "[actors][config]") {
  const auto cores = static_cast<std::int64_t>(std::max(1u, std::thread::hardware_concurrency()));
  SECTION("pipeline_config sets them") {
    pipeline_config config;
    CHECK(integer_option(config, "work-stealing.moderate-poll-attempts") == 0);
    CHECK(integer_option(config, "scheduler.max-threads") == cores);
    // The actor system built from it really runs one worker per core (CAF alone: at least 4).
    caf::actor_system system{config};
    CHECK(system.scheduler().num_workers() == static_cast<std::size_t>(cores));
  }
  SECTION("the command line overrides them") {
    auto config = parsed({"--raftvault.data-dir=/d", "--work-stealing.moderate-poll-attempts=5",
                          "--scheduler.max-threads=3"});
    CHECK(integer_option(*config, "work-stealing.moderate-poll-attempts") == 5);
    CHECK(integer_option(*config, "scheduler.max-threads") == 3);
    caf::actor_system system{*config};
    CHECK(system.scheduler().num_workers() == 3);
  }
  SECTION("apply_latency_defaults keeps values already set") {
    caf::actor_system_config config;
    config.set("work-stealing.moderate-poll-attempts", caf::config_value::integer{7});
    apply_latency_defaults(config);
    CHECK(integer_option(config, "work-stealing.moderate-poll-attempts") == 7);
    CHECK(integer_option(config, "scheduler.max-threads") == cores);
  }
}
