// The raftvault option group (docs/design.md, "Configuration"): read from an ini stream, the
// command line and code; production defaults; invalid values refused naming the option; the
// scheduler latency defaults of docs/design.md, "Scheduler defaults", applied unless the user
// set them.
#include <catch2/catch.hpp>

#include <sstream>
#include <thread>

#include <caf/actor_system.hpp>
#include <caf/scheduler/abstract_coordinator.hpp>

#include "actors/config.h"
#include "support/test_support.h"

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

// Writes `ini` to <dir>/caf-application.ini and parses it as a program does: the file named by
// --config-file, then the other arguments. CAF's own parse error fails the test.
std::unique_ptr<pipeline_config> parsed_file(const testing::temp_dir& dir, const std::string& ini,
                                             std::vector<std::string> more_args = {}) {
  const auto path = dir / "caf-application.ini";
  testing::write_bytes(path, ini);
  std::vector<std::string> args{"--config-file=" + path};
  args.insert(args.end(), more_args.begin(), more_args.end());
  auto config = std::make_unique<pipeline_config>();
  auto err = config->parse(std::move(args));
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
segment-delete-rate=0
group-commit-bytes=262144
wal-direct-io=false
background-nice=5
rotation-step-pause-us=0
group-commit-mode="halves"
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
  CHECK(options->segment_delete_rate == 0);
  CHECK_FALSE(options->wal_direct_io);
  CHECK(options->group_commit_bytes == 262144);
  CHECK(options->background_nice == 5);
  CHECK(options->rotation_step_pause_us == 0);
  CHECK(options->group_commit_mode == group_mode_setting::halves);
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
  CHECK(options->segment_delete_rate == 1ull << 30);
  CHECK(options->wal_direct_io);
  CHECK(options->group_commit_bytes == 1u << 20);
  CHECK(options->background_nice == 19);
  CHECK(options->rotation_step_pause_us == 2000);
  CHECK(options->group_commit_mode == group_mode_setting::automatic);
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
      {{"--raftvault.data-dir=/d", "--raftvault.background-nice=20"},
       "option raftvault.background-nice: 20 is out of range [0, 19]"},
      {{"--raftvault.data-dir=/d", "--raftvault.rotation-step-pause-us=250001"},
       "option raftvault.rotation-step-pause-us: 250001 is out of range [0, 250000]"},
      {{"--raftvault.data-dir=/d", "--raftvault.segment-delete-rate=1000"},
       "option raftvault.segment-delete-rate: 1000 is below 65536 bytes/s (0: unlink at once)"},
      {{"--raftvault.data-dir=/d", "--raftvault.group-commit-mode=thirds"},
       R"(option raftvault.group-commit-mode: "thirds" is not whole, halves or auto)"},
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
  // An unknown option on the command line: CAF refuses it too.
  pipeline_config typo;
  auto unknown = typo.parse({"--raftvault.crypto-worker=4"}, empty);
  REQUIRE(unknown);
  CHECK_THAT(caf::to_string(unknown), Catch::Contains("--raftvault.crypto-worker=4"));
}

TEST_CASE("config: caf-application.ini values of the wrong type or unknown keys are refused at start",
          "[actors][config]") {
  testing::temp_dir dir;
  // The control: the same file with well-typed values is read, and the command line still
  // treats a boolean option as a flag.
  auto good = parsed_file(dir, R"([raftvault]
data-dir="/srv/raft/node-1"
cipher="none"
crypto-workers=4
group-commit-linger-us=0
)",
                          {"--raftvault.autolock"});
  auto options = read_options(*good);
  INFO((options ? std::string() : options.error().describe()));
  REQUIRE(options);
  CHECK(options->data_dir == "/srv/raft/node-1");
  CHECK(options->cipher == codec::cipher::none);
  CHECK(options->crypto_workers == 4);
  CHECK(options->group_commit_linger_us == 0);
  CHECK(options->autolock);

  struct refused_case {
    const char* ini;
    const char* message;  // the whole message
  };
  const std::vector<refused_case> cases = {
      {"[raftvault]\ndata-dir=\"/d\"\ncrypto-workers=\"four\"\n",
       R"(option raftvault.crypto-workers: expected an integer, got "four")"},
      {"[raftvault]\ndata-dir=\"/d\"\nsegment-size=-5\n",
       "option raftvault.segment-size: -5 is out of range [65536, 1099511627776]"},
      {"[raftvault]\ndata-dir=\"/d\"\nmax-inflight-bytes=1.5\n",
       "option raftvault.max-inflight-bytes: expected an integer, got 1.500000"},
      {"[raftvault]\ndata-dir=\"/d\"\ngroup-commit-linger-us=500us\n",
       "option raftvault.group-commit-linger-us: expected an integer, got 500us"},
      {"[raftvault]\ndata-dir=\"/d\"\nsnapshot-keep=[3]\n",
       "option raftvault.snapshot-keep: expected an integer, got [3]"},
      {"[raftvault]\ndata-dir=5\n",
       "option raftvault.data-dir: expected a string in double quotes, got 5"},
      {"[raftvault]\ndata-dir=\"/d\"\ncipher='secretbox'\n",
       "option raftvault.cipher: expected a string in double quotes, got 'secretbox'"},
      {"[raftvault]\ndata-dir=\"/d\"\nunlock-key-file=true\n",
       "option raftvault.unlock-key-file: expected a string in double quotes, got true"},
      {"[raftvault]\ndata-dir=\"/d\"\ncreate-if-missing=\"yes\"\n",
       R"(option raftvault.create-if-missing: expected true or false, got "yes")"},
      {"[raftvault]\ndata-dir=\"/d\"\nautolock=1\n",
       "option raftvault.autolock: expected true or false, got 1"},
      // CAF's other ini form, a group at the top level, reaches the same check.
      {"raftvault {\ndata-dir=\"/d\"\ncrypto-workers=\"four\"\n}\n",
       R"(option raftvault.crypto-workers: expected an integer, got "four")"},
      // A typo is refused before anything else, so it does not read as "data-dir is required".
      {"[raftvault]\ndata_dir=\"/d\"\n",
       "option raftvault.data_dir: unknown option (the raftvault options are data-dir, cipher, "
       "segment-size, max-inflight-bytes, crypto-workers, crypto-inline-bytes, snapshot-keep, "
       "unlock-key-file, create-if-missing, autolock, metadata, rotation-retry-ms, "
       "group-commit-linger-us, group-commit-bytes, group-commit-mode, segment-delete-rate, "
       "wal-direct-io, "
       "background-nice, rotation-step-pause-us)"},
      {"[raftvault]\ndata-dir=\"/d\"\nwal-direct-io=\"off\"\n",
       R"(option raftvault.wal-direct-io: expected true or false, got "off")"},
      {"[global]\nraftvault=5\n", "option raftvault: expected a group of options, got 5"},
      // Set, but empty: not one of the values (the default is for an option left unset).
      {"[raftvault]\ndata-dir=\"/d\"\ncipher=\"\"\n",
       R"(option raftvault.cipher: unknown cipher "" (expected none, secretbox or xchacha20poly1305))"},
      {"[raftvault]\ndata-dir=\"/d\"\ngroup-commit-mode=\"\"\n",
       R"(option raftvault.group-commit-mode: "" is not whole, halves or auto)"},
  };
  for (const auto& c : cases) {
    INFO(c.ini);
    auto config = parsed_file(dir, c.ini);
    auto refused = read_options(*config);
    REQUIRE_FALSE(refused);
    CHECK(refused.error().code() == errc::invalid_argument);
    CHECK(refused.error().message() == c.message);
  }
  {
    INFO("crypto-worker=4: unknown key, named");
    auto config = parsed_file(dir, "[raftvault]\ndata-dir=\"/d\"\ncrypto-worker=4\n");
    auto refused = read_options(*config);
    REQUIRE_FALSE(refused);
    CHECK_THAT(refused.error().message(),
               Catch::StartsWith("option raftvault.crypto-worker: unknown option (") &&
                   Catch::Contains(" crypto-workers,"));
  }
  // The command line overrides a wrong value of the file, as it overrides any other.
  auto overridden = parsed_file(dir, "[raftvault]\ndata-dir=\"/d\"\ncrypto-workers=\"four\"\n",
                                {"--raftvault.crypto-workers=3"});
  auto fixed = read_options(*overridden);
  INFO((fixed ? std::string() : fixed.error().describe()));
  REQUIRE(fixed);
  CHECK(fixed->crypto_workers == 3);
}

TEST_CASE("config: a value of the wrong type set from code is refused, naming the option",
          "[actors][config]") {
  pipeline_config config;
  config.set("raftvault.data-dir", "/from/code");
  config.set("raftvault.crypto-workers", "four");
  auto refused = read_options(config);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code() == errc::invalid_argument);
  CHECK(refused.error().message() ==
        R"(option raftvault.crypto-workers: expected an integer, got "four")");
}

TEST_CASE("config: the scheduler latency defaults are set unless overridden", "[actors][config]") {
  const auto cores = static_cast<std::int64_t>(std::max(1u, std::thread::hardware_concurrency()));
  SECTION("pipeline_config sets them") {
    pipeline_config config;
    CHECK(integer_option(config, "work-stealing.moderate-poll-attempts") == 0);
    CHECK(integer_option(config, "scheduler.max-threads") == cores);
    CHECK(integer_option(config, "scheduler.max-throughput") == 1);
    // The actor system built from it really runs one worker per core (CAF alone: at least 4)
    // and one message per actor run (CAF alone: no limit).
    caf::actor_system system{config};
    CHECK(system.scheduler().num_workers() == static_cast<std::size_t>(cores));
    CHECK(system.scheduler().max_throughput() == 1);
  }
  SECTION("the command line overrides them") {
    auto config = parsed({"--raftvault.data-dir=/d", "--work-stealing.moderate-poll-attempts=5",
                          "--scheduler.max-threads=3", "--scheduler.max-throughput=300"});
    CHECK(integer_option(*config, "work-stealing.moderate-poll-attempts") == 5);
    CHECK(integer_option(*config, "scheduler.max-threads") == 3);
    caf::actor_system system{*config};
    CHECK(system.scheduler().num_workers() == 3);
    CHECK(system.scheduler().max_throughput() == 300);
  }
  SECTION("apply_latency_defaults keeps values already set") {
    caf::actor_system_config config;
    config.set("work-stealing.moderate-poll-attempts", caf::config_value::integer{7});
    config.set("scheduler.max-throughput", caf::config_value::integer{64});
    apply_latency_defaults(config);
    CHECK(integer_option(config, "work-stealing.moderate-poll-attempts") == 7);
    CHECK(integer_option(config, "scheduler.max-throughput") == 64);
    CHECK(integer_option(config, "scheduler.max-threads") == cores);
  }
}

TEST_CASE("config: each group-commit-mode value selects its mode", "[actors][config]") {
  const std::pair<const char*, group_mode_setting> cases[] = {
      {"whole", group_mode_setting::whole},
      {"halves", group_mode_setting::halves},
      {"auto", group_mode_setting::automatic},
  };
  for (const auto& [value, setting] : cases) {
    INFO(value);
    auto config = parsed({"--raftvault.data-dir=/d", std::string("--raftvault.group-commit-mode=") + value});
    auto options = read_options(*config);
    REQUIRE(options);
    CHECK(options->group_commit_mode == setting);
  }
}
