#include "actors/config.h"

#include <cstring>
#include <thread>

#include <caf/config_option.hpp>
#include <caf/make_config_option.hpp>

#include "actors/caf_glue.h"
#include "codec/error.h"

namespace raftvault::actors {
namespace {

enum class option_type { string, integer, boolean };

struct option_spec {
  const char* name;
  option_type type;
  const char* description;
};

// The raftvault group: declared from this table and checked against it, so the two cannot drift.
constexpr option_spec kOptions[] = {
    {"data-dir", option_type::string,
     "store directory (keys/, wal-v3-encrypted/, snap-v3-encrypted/)"},
    {"cipher", option_type::string,
     "payload cipher of new stores: xchacha20poly1305|secretbox|none"},
    {"segment-size", option_type::integer, "WAL segment size in bytes (default 64000000, as etcd)"},
    {"max-inflight-bytes", option_type::integer,
     "appended but not yet durable bytes before appends wait"},
    {"crypto-workers", option_type::integer, "actors sealing large batches in parallel"},
    {"crypto-inline-bytes", option_type::integer, "batches below this are sealed without a hop"},
    {"snapshot-keep", option_type::integer, ".snap files kept"},
    {"unlock-key-file", option_type::string, "file holding the unlock key of a locked store"},
    {"create-if-missing", option_type::boolean, "create a new store when data-dir holds none"},
    {"autolock", option_type::boolean, "new stores: protect the key file with an unlock key"},
    {"metadata", option_type::string, "new stores: WAL metadata bytes"},
    {"rotation-retry-ms", option_type::integer,
     "delay before retrying a DEK rotation whose snapshot failed"},
    {"group-commit-linger-us", option_type::integer,
     "longest wait of a short WAL group for the expected rest (0: never wait)"},
    {"group-commit-bytes", option_type::integer,
     "a WAL group syncs once it has written this many entry bytes, or half the bytes in flight "
     "if more (0: no cap)"},
    {"group-commit-mode", option_type::string,
     "WAL groups: whole (every append that is there), halves (half the appends in flight) or "
     "auto (half groups while the appends' round trip outlasts a group's write + fdatasync)"},
    {"segment-delete-rate", option_type::integer,
     "bytes/s at which released WAL segments are shrunk before unlinking (0: at once)"},
    {"wal-direct-io", option_type::boolean,
     "write WAL segments with O_DIRECT (same bytes; buffered where the file system refuses)"},
    {"background-nice", option_type::integer,
     "nice value of the snapshot writer's and key rotator's threads (0-19; 0: unchanged)"},
    {"rotation-step-pause-us", option_type::integer,
     "wait between a DEK rotation's durable steps, so its disk flushes do not bunch (0: none)"},
};

// CAF 0.17 type-checks each ini value against its declared option and silently drops a value
// of the wrong type (its ini_consumer files a warning that nothing reads), so
// `crypto-workers="four"` in caf-application.ini would run with the default. The raftvault
// options therefore accept any value when the ini file (or code) sets them and keep it as
// written; read_options() refuses a value of the wrong type naming the option. The command line
// still goes through CAF's typed parser, and the type name keeps `--raftvault.autolock` a flag.
caf::error accept_any_value(const caf::config_value&) { return caf::none; }
void store_nothing(void*, const caf::config_value&) {}  // the options have no bound variable

template <class T>
const caf::config_option::meta_state* keep_as_written() {
  static const caf::config_option::meta_state meta{
      accept_any_value, store_nothing, caf::detail::get_impl<T>,
      caf::detail::parse_impl_delegate<T>, caf::select_config_value_access_t<T>::type_name()};
  return &meta;
}

const caf::config_option::meta_state* meta_of(option_type type) {
  switch (type) {
    case option_type::string: return keep_as_written<std::string>();
    case option_type::integer: return keep_as_written<std::int64_t>();
    case option_type::boolean: return keep_as_written<bool>();
  }
  return nullptr;
}

const option_spec* find_option(const std::string& name) {
  for (const auto& spec : kOptions)
    if (name == spec.name) return &spec;
  return nullptr;
}

std::string option_names() {
  std::string names;
  for (const auto& spec : kOptions) names += (names.empty() ? "" : ", ") + std::string(spec.name);
  return names;
}

error bad_option(const std::string& name, const std::string& why) {
  return error(errc::invalid_argument, "option raftvault." + name + ": " + why);
}

const caf::config_value* find_value(const caf::actor_system_config& config, const char* name) {
  return caf::get_if(&caf::content(config), std::string("raftvault.") + name);
}

// Only the ini file (or a hand-filled content) can put a key into the group that no option
// declares: CAF refuses an unknown --raftvault.* argument and an unknown name in set().
status refuse_unknown_keys(const caf::actor_system_config& config) {
  const auto* group = caf::get_if(&caf::content(config), "raftvault");
  if (group == nullptr) return {};
  const auto* keys = caf::get_if<caf::settings>(group);
  if (keys == nullptr)
    return error(errc::invalid_argument,
                 "option raftvault: expected a group of options, got " + caf::to_string(*group));
  for (const auto& entry : *keys) {
    if (find_option(entry.first) == nullptr)
      return bad_option(entry.first,
                        "unknown option (the raftvault options are " + option_names() + ")");
  }
  return {};
}

// Integer options arrive as CAF integers (int64); negative values are refused by name.
result<std::uint64_t> read_unsigned(const caf::actor_system_config& config, const char* name,
                                    std::uint64_t fallback, std::uint64_t min, std::uint64_t max) {
  const auto* value = find_value(config, name);
  if (value == nullptr) return fallback;
  const auto* integer = caf::get_if<caf::config_value::integer>(value);
  if (integer == nullptr) return bad_option(name, "expected an integer, got " + caf::to_string(*value));
  if (*integer < 0 || static_cast<std::uint64_t>(*integer) < min ||
      static_cast<std::uint64_t>(*integer) > max)
    return bad_option(name, std::to_string(*integer) + " is out of range [" + std::to_string(min) +
                                ", " + std::to_string(max) + "]");
  return static_cast<std::uint64_t>(*integer);
}

// In a CAF ini file only double quotes make a string ('x' is an atom, x a syntax error).
result<std::string> read_string(const caf::actor_system_config& config, const char* name) {
  const auto* value = find_value(config, name);
  if (value == nullptr) return std::string();
  const auto* text = caf::get_if<std::string>(value);
  if (text == nullptr)
    return bad_option(name, "expected a string in double quotes, got " + caf::to_string(*value));
  return *text;
}

result<bool> read_bool(const caf::actor_system_config& config, const char* name, bool fallback) {
  const auto* value = find_value(config, name);
  if (value == nullptr) return fallback;
  const auto* flag = caf::get_if<bool>(value);
  if (flag == nullptr)
    return bad_option(name, "expected true or false, got " + caf::to_string(*value));
  return *flag;
}

}  // namespace

pipeline_config::pipeline_config() {
  // Lengths given: CAF 0.17's string_view takes a bare const char* only when built with gcc.
  const auto view = [](const char* text) { return caf::string_view(text, std::strlen(text)); };
  for (const auto& spec : kOptions)
    custom_options_.add(caf::config_option{"raftvault", view(spec.name), view(spec.description),
                                           meta_of(spec.type)});
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
  if (caf::get_if(&content, "scheduler.max-throughput") == nullptr)
    config.set("scheduler.max-throughput", caf::config_value::integer{1});
}

result<pipeline_options> read_options(const caf::actor_system_config& config) {
  RV_TRY(refuse_unknown_keys(config));
  pipeline_options options;
  RV_ASSIGN(options.data_dir, read_string(config, "data-dir"));
  if (options.data_dir.empty()) return bad_option("data-dir", "is required");
  // An option set to "" is not left unset: only an unset one takes the default.
  RV_ASSIGN(auto cipher_name, read_string(config, "cipher"));
  if (find_value(config, "cipher") != nullptr) {
    auto parsed = codec::parse_cipher(cipher_name);
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
  RV_ASSIGN(options.group_commit_bytes,
            read_unsigned(config, "group-commit-bytes", options.group_commit_bytes, 0,
                          1ull << 40));
  RV_ASSIGN(auto mode, read_string(config, "group-commit-mode"));
  if (mode == "halves") {
    options.group_commit_mode = group_mode_setting::halves;
  } else if (mode == "whole") {
    options.group_commit_mode = group_mode_setting::whole;
  } else if (mode == "auto") {
    options.group_commit_mode = group_mode_setting::automatic;
  } else if (find_value(config, "group-commit-mode") != nullptr) {
    return bad_option("group-commit-mode", "\"" + mode + "\" is not whole, halves or auto");
  }
  RV_ASSIGN(options.segment_delete_rate,
            read_unsigned(config, "segment-delete-rate", options.segment_delete_rate, 0,
                          1ull << 50));
  // Below 64 KiB/s a 64 MB segment would hold its disk space for over a quarter of an hour,
  // and a rate meant in MiB/s (a typo) for days.
  if (options.segment_delete_rate > 0 && options.segment_delete_rate < (64u << 10))
    return bad_option("segment-delete-rate", std::to_string(options.segment_delete_rate) +
                                                 " is below 65536 bytes/s (0: unlink at once)");
  RV_ASSIGN(options.background_nice,
            read_unsigned(config, "background-nice", options.background_nice, 0, 19));
  // Four pauses per rotation: at most 1 s of its 2 s budget (issue 5).
  RV_ASSIGN(options.rotation_step_pause_us,
            read_unsigned(config, "rotation-step-pause-us", options.rotation_step_pause_us, 0,
                          250'000));
  RV_ASSIGN(options.unlock_key_file, read_string(config, "unlock-key-file"));
  RV_ASSIGN(options.create_if_missing, read_bool(config, "create-if-missing", false));
  RV_ASSIGN(options.autolock, read_bool(config, "autolock", false));
  RV_ASSIGN(options.wal_direct_io, read_bool(config, "wal-direct-io", options.wal_direct_io));
  RV_ASSIGN(options.metadata, read_string(config, "metadata"));
  return options;
}

}  // namespace raftvault::actors
