#include "actors/config.h"

#include <thread>

#include "actors/caf_glue.h"

namespace raftvault::actors {
namespace {

error bad_option(const std::string& name, const std::string& why) {
  return error(errc::invalid_argument, "option raftvault." + name + ": " + why);
}

// Integer options arrive as CAF integers (int64); negative values are refused by name.
result<std::uint64_t> read_unsigned(const caf::actor_system_config& config, const char* name,
                                    std::uint64_t fallback, std::uint64_t min, std::uint64_t max) {
  const auto* value = caf::get_if(&caf::content(config), std::string("raftvault.") + name);
  if (value == nullptr) return fallback;
  const auto* integer = caf::get_if<caf::config_value::integer>(value);
  if (integer == nullptr) return bad_option(name, "expected an integer, got " + caf::to_string(*value));
  if (*integer < 0 || static_cast<std::uint64_t>(*integer) < min ||
      static_cast<std::uint64_t>(*integer) > max)
    return bad_option(name, std::to_string(*integer) + " is out of range [" + std::to_string(min) +
                                ", " + std::to_string(max) + "]");
  return static_cast<std::uint64_t>(*integer);
}

std::string read_string(const caf::actor_system_config& config, const char* name) {
  return caf::get_or(config, std::string("raftvault.") + name, std::string());
}

bool read_bool(const caf::actor_system_config& config, const char* name, bool fallback) {
  return caf::get_or(config, std::string("raftvault.") + name, fallback);
}

}  // namespace

pipeline_config::pipeline_config() {
  opt_group{custom_options_, "raftvault"}
      .add<std::string>("data-dir", "store directory (keys/, wal-v3-encrypted/, snap-v3-encrypted/)")
      .add<std::string>("cipher", "payload cipher of new stores: xchacha20poly1305|secretbox|none")
      .add<int64_t>("segment-size", "WAL segment size in bytes (default 64000000, as etcd)")
      .add<int64_t>("max-inflight-bytes", "appended but not yet durable bytes before appends wait")
      .add<int64_t>("crypto-workers", "actors sealing large batches in parallel")
      .add<int64_t>("crypto-inline-bytes", "batches below this are sealed without a hop")
      .add<int64_t>("snapshot-keep", ".snap files kept")
      .add<std::string>("unlock-key-file", "file holding the unlock key of a locked store")
      .add<bool>("create-if-missing", "create a new store when data-dir holds none")
      .add<bool>("autolock", "new stores: protect the key file with an unlock key")
      .add<std::string>("metadata", "new stores: WAL metadata bytes")
      .add<int64_t>("rotation-retry-ms", "delay before retrying a DEK rotation whose snapshot failed")
      .add<int64_t>("group-commit-linger-us",
                    "longest wait of a short WAL group for the expected rest (0: never wait)");
  register_error_category(*this);
  apply_latency_defaults(*this);
}

void apply_latency_defaults(caf::actor_system_config& config) {
  auto& content = caf::content(config);
  if (caf::get_if(&content, "work-stealing.moderate-poll-attempts") == nullptr)
    config.set("work-stealing.moderate-poll-attempts", caf::config_value::integer{0});
  if (caf::get_if(&content, "scheduler.max-threads") == nullptr) {
    auto cores = std::max(1u, std::thread::hardware_concurrency());
    config.set("scheduler.max-threads", static_cast<caf::config_value::integer>(cores));
  }
}

result<pipeline_options> read_options(const caf::actor_system_config& config) {
  pipeline_options options;
  options.data_dir = read_string(config, "data-dir");
  if (options.data_dir.empty()) return bad_option("data-dir", "is required");
  if (auto name = read_string(config, "cipher"); !name.empty()) {
    auto parsed = codec::parse_cipher(name);
    if (!parsed) return bad_option("cipher", parsed.error().message());
    options.cipher = *parsed;
  }
  RV_ASSIGN(options.segment_size,
            read_unsigned(config, "segment-size", options.segment_size, 64u << 10, 1ull << 40));
  RV_ASSIGN(options.max_inflight_bytes,
            read_unsigned(config, "max-inflight-bytes", options.max_inflight_bytes, 1u << 20,
                          1ull << 40));
  RV_ASSIGN(options.crypto_workers,
            read_unsigned(config, "crypto-workers", options.crypto_workers, 1, 64));
  RV_ASSIGN(options.crypto_inline_bytes,
            read_unsigned(config, "crypto-inline-bytes", options.crypto_inline_bytes, 0,
                          1ull << 30));
  RV_ASSIGN(options.snapshot_keep,
            read_unsigned(config, "snapshot-keep", options.snapshot_keep, 1, 1000));
  RV_ASSIGN(options.rotation_retry_ms,
            read_unsigned(config, "rotation-retry-ms", options.rotation_retry_ms, 1, 3'600'000));
  RV_ASSIGN(options.group_commit_linger_us,
            read_unsigned(config, "group-commit-linger-us", options.group_commit_linger_us, 0,
                          1'000'000));
  options.unlock_key_file = read_string(config, "unlock-key-file");
  options.create_if_missing = read_bool(config, "create-if-missing", false);
  options.autolock = read_bool(config, "autolock", false);
  options.metadata = read_string(config, "metadata");
  return options;
}

}  // namespace raftvault::actors
