#include "bench/options.h"

#include <algorithm>
#include <cctype>
#include <functional>
#include <map>
#include <stdexcept>

namespace raftvault::bench {
namespace {

// etcd refuses records of 10 MiB or more; leave room for the entry's own framing.
constexpr std::uint64_t kMaxEntrySize = 10 * 1024 * 1024 - 1024;

error usage(const std::string& message) { return error(errc::invalid_argument, message); }

result<std::uint64_t> parse_count(const std::string& option, const std::string& text) {
  if (text.empty() || text.size() > 19) return usage(option + " " + text + ": not a count");
  std::uint64_t value = 0;
  for (char c : text) {
    if (!std::isdigit(static_cast<unsigned char>(c)))
      return usage(option + " " + text + ": not a count (digits only)");
    value = value * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return value;
}

result<std::uint64_t> positive(result<std::uint64_t> value, const std::string& option) {
  if (value && *value == 0) return usage(option + ": must be at least 1");
  return value;
}

result<cipher_choice> parse_cipher(const std::string& text) {
  if (text == "none") return cipher_choice::none;
  if (text == "secretbox") return cipher_choice::secretbox;
  if (text == "xchacha20poly1305") return cipher_choice::xchacha20poly1305;
  return usage("--cipher " + text + ": unknown cipher (none, secretbox, xchacha20poly1305)");
}

// A flag table: valued options get the next word (or the part after '='), switches none,
// optional-valued ones the part after '=' or the next word unless it starts with '-'.
struct flag_table {
  std::map<std::string, std::function<status(const std::string&)>> valued;
  std::map<std::string, std::function<void()>> switches;
  std::map<std::string, std::function<status(const std::string*)>> optional_valued;

  status parse(const std::vector<std::string>& args) const {
    for (std::size_t i = 0; i < args.size(); ++i) {
      std::string name = args[i];
      std::string value;
      bool has_inline_value = false;
      if (auto eq = name.find('='); name.rfind("--", 0) == 0 && eq != std::string::npos) {
        value = name.substr(eq + 1);
        name = name.substr(0, eq);
        has_inline_value = true;
      }
      if (auto opt = optional_valued.find(name); opt != optional_valued.end()) {
        if (!has_inline_value && i + 1 < args.size() && !args[i + 1].empty() && args[i + 1][0] != '-') {
          value = args[++i];
          has_inline_value = true;
        }
        RV_TRY(opt->second(has_inline_value ? &value : nullptr));
        continue;
      }
      if (auto sw = switches.find(name); sw != switches.end()) {
        if (has_inline_value) return usage(name + ": takes no value");
        sw->second();
        continue;
      }
      auto option = valued.find(name);
      if (option == valued.end()) return usage(name + ": unknown option");
      if (!has_inline_value) {
        if (i + 1 >= args.size()) return usage(name + ": missing value");
        value = args[++i];
      }
      RV_TRY(option->second(value));
    }
    return {};
  }
};

// --json [FILE] and, where the subcommand has a time series, --csv FILE.
void add_output_flags(flag_table& flags, bool& json, std::string& json_file, std::string* csv_file) {
  flags.optional_valued["--json"] = [&json, &json_file](const std::string* file) -> status {
    if (file == nullptr) {
      json = true;
      return {};
    }
    if (file->empty()) return usage("--json=: empty path");
    json_file = *file;
    return {};
  };
  if (csv_file == nullptr) return;
  flags.valued["--csv"] = [csv_file](const std::string& v) -> status {
    if (v.empty()) return usage("--csv: empty path");
    *csv_file = v;
    return {};
  };
}

status set_data_dir(std::string& field, const std::string& v) {
  if (v.empty()) return usage("--data-dir: empty path");
  field = v;
  return {};
}

}  // namespace

std::string to_string(cipher_choice cipher) {
  switch (cipher) {
    case cipher_choice::none: return "none";
    case cipher_choice::secretbox: return "secretbox";
    case cipher_choice::xchacha20poly1305: return "xchacha20poly1305";
  }
  return "unknown";
}

result<double> parse_seconds(const std::string& option, const std::string& text) {
  std::string number = text;
  double unit = 1;
  if (number.size() > 2 && number.compare(number.size() - 2, 2, "ms") == 0) {
    number.resize(number.size() - 2);
    unit = 1e-3;
  } else if (number.size() > 1 && number.back() == 's') {
    number.pop_back();
  }
  std::size_t used = 0;
  double value = 0;
  try {
    value = std::stod(number, &used) * unit;
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != number.size() || !(value >= 0) || value > 86400)
    return usage(option + " " + text + ": not a time (e.g. 3, 2.5, 2.5s or 300ms)");
  return value;
}

result<std::uint64_t> parse_byte_size(const std::string& option, const std::string& text) {
  std::size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
  if (digits == 0) return usage(option + " " + text + ": not a size (e.g. 128, 4KiB, 1MiB)");
  RV_ASSIGN(auto number, parse_count(option, text.substr(0, digits)));
  static const std::map<std::string, std::uint64_t> units = {
      {"", 1},           {"B", 1},
      {"k", 1ull << 10}, {"K", 1ull << 10}, {"KiB", 1ull << 10},
      {"m", 1ull << 20}, {"M", 1ull << 20}, {"MiB", 1ull << 20},
      {"g", 1ull << 30}, {"G", 1ull << 30}, {"GiB", 1ull << 30}};
  auto unit = units.find(text.substr(digits));
  if (unit == units.end())
    return usage(option + " " + text + ": unknown unit (use B, KiB, MiB or GiB)");
  if (number > (~0ull) / unit->second) return usage(option + " " + text + ": too large");
  return number * unit->second;
}

result<wal_options> parse_wal_options(const std::vector<std::string>& args) {
  wal_options o;
  bool no_sync = false;
  flag_table flags;
  auto set = [](std::uint64_t& field, result<std::uint64_t> parsed) -> status {
    RV_ASSIGN(field, std::move(parsed));
    return {};
  };
  flags.valued["--entries"] = [&](const std::string& v) {
    return set(o.entries, positive(parse_count("--entries", v), "--entries"));
  };
  flags.valued["--size"] = [&](const std::string& v) {
    return set(o.size, parse_byte_size("--size", v));
  };
  flags.valued["--batch"] = [&](const std::string& v) {
    return set(o.batch, positive(parse_count("--batch", v), "--batch"));
  };
  flags.valued["--segment-size"] = [&](const std::string& v) {
    return set(o.segment_size, positive(parse_byte_size("--segment-size", v), "--segment-size"));
  };
  flags.valued["--data-dir"] = [&](const std::string& v) { return set_data_dir(o.data_dir, v); };
  flags.valued["--cipher"] = [&](const std::string& v) -> status {
    RV_ASSIGN(o.cipher, parse_cipher(v));
    return {};
  };
  flags.switches["--no-sync"] = [&] { no_sync = true; };
  flags.switches["--direct-io"] = [&] { o.direct_io = true; };
  flags.switches["--keep"] = [&] { o.keep = true; };
  add_output_flags(flags, o.json, o.json_file, nullptr);
  RV_TRY(flags.parse(args));

  o.sync = !no_sync;
  if (o.size > kMaxEntrySize)
    return usage("--size " + std::to_string(o.size) + ": at most " + std::to_string(kMaxEntrySize) +
                 " bytes (etcd refuses records of 10 MiB or more)");
  if (o.keep && o.data_dir.empty())
    return usage("--keep: needs --data-dir DIR (the default temp dir is always removed)");
  return o;
}

result<raw_options> parse_raw_options(const std::vector<std::string>& args) {
  raw_options o;
  flag_table flags;
  flags.valued["--size"] = [&](const std::string& v) -> status {
    RV_ASSIGN(o.size, positive(parse_byte_size("--size", v), "--size"));
    return {};
  };
  flags.valued["--count"] = [&](const std::string& v) -> status {
    RV_ASSIGN(o.count, positive(parse_count("--count", v), "--count"));
    return {};
  };
  flags.valued["--data-dir"] = [&](const std::string& v) { return set_data_dir(o.data_dir, v); };
  flags.switches["--direct"] = [&] { o.direct = true; };
  add_output_flags(flags, o.json, o.json_file, nullptr);
  RV_TRY(flags.parse(args));
  if (o.size > (1ull << 30)) return usage("--size: at most 1GiB per block");
  return o;
}

result<pipeline_options> parse_pipeline_options(const std::vector<std::string>& args) {
  pipeline_options o;
  flag_table flags;
  auto set = [](std::uint64_t& field, result<std::uint64_t> parsed) -> status {
    RV_ASSIGN(field, std::move(parsed));
    return {};
  };
  flags.valued["--producers"] = [&](const std::string& v) {
    return set(o.producers, positive(parse_count("--producers", v), "--producers"));
  };
  flags.valued["--size"] = [&](const std::string& v) {
    return set(o.size, parse_byte_size("--size", v));
  };
  flags.valued["--batch"] = [&](const std::string& v) {
    return set(o.batch, positive(parse_count("--batch", v), "--batch"));
  };
  flags.valued["--duration"] = [&](const std::string& v) -> status {
    RV_ASSIGN(o.duration, parse_seconds("--duration", v));
    if (o.duration <= 0) return usage("--duration " + v + ": must be above 0");
    return {};
  };
  flags.valued["--rotate-at"] = [&](const std::string& v) -> status {
    RV_ASSIGN(o.rotate_at, parse_seconds("--rotate-at", v));
    if (o.rotate_at <= 0) return usage("--rotate-at " + v + ": must be above 0");
    return {};
  };
  bool rotations_given = false;
  flags.valued["--rotations"] = [&](const std::string& v) {
    rotations_given = true;
    return set(o.rotations, positive(parse_count("--rotations", v), "--rotations"));
  };
  bool rotate_every_given = false;
  flags.valued["--rotate-every"] = [&](const std::string& v) -> status {
    RV_ASSIGN(o.rotation_gap, parse_seconds("--rotate-every", v));
    if (o.rotation_gap < 0.01) return usage("--rotate-every " + v + ": at least 10ms");
    rotate_every_given = true;
    return {};
  };
  flags.valued["--ack-log"] = [&](const std::string& v) -> status {
    if (v.empty()) return usage("--ack-log: empty path");
    o.ack_log = v;
    return {};
  };
  flags.valued["--snapshot-size"] = [&](const std::string& v) {
    return set(o.snapshot_size, parse_byte_size("--snapshot-size", v));
  };
  flags.valued["--segment-size"] = [&](const std::string& v) {
    return set(o.segment_size, positive(parse_byte_size("--segment-size", v), "--segment-size"));
  };
  flags.valued["--cipher"] = [&](const std::string& v) -> status {
    RV_ASSIGN(o.cipher, parse_cipher(v));
    return {};
  };
  flags.valued["--data-dir"] = [&](const std::string& v) { return set_data_dir(o.data_dir, v); };
  flags.valued["--caf"] = [&](const std::string& v) -> status {
    const auto eq = v.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == v.size())
      return usage("--caf " + v + ": expected KEY=VALUE (e.g. scheduler.max-threads=4)");
    o.caf_settings.emplace_back(v.substr(0, eq), v.substr(eq + 1));
    return {};
  };
  flags.valued["--slice"] = [&](const std::string& v) -> status {
    RV_ASSIGN(o.slice, parse_seconds("--slice", v));
    if (o.slice < 0.1) return usage("--slice " + v + ": at least 0.1 seconds");
    return {};
  };
  flags.switches["--alternate-plaintext"] = [&] { o.alternate_plaintext = true; };
  flags.switches["--keep"] = [&] { o.keep = true; };
  flags.switches["--reopen"] = [&] { o.reopen = true; };
  flags.switches["--no-raw-disk"] = [&] { o.raw_disk = false; };
  add_output_flags(flags, o.json, o.json_file, &o.csv_file);
  flags.valued["--rate"] = [&](const std::string& v) -> status {
    RV_ASSIGN(o.rate, parse_rate("--rate", v));
    return {};
  };
  flags.valued["--snapshot-every"] = [&](const std::string& v) -> status {
    RV_ASSIGN(o.snapshot_every, parse_seconds("--snapshot-every", v));
    if (o.snapshot_every < 0.01) return usage("--snapshot-every " + v + ": at least 10ms");
    return {};
  };
  RV_TRY(flags.parse(args));
  if (rotate_every_given) {
    if (o.rotate_at == 0) o.rotate_at = std::min(o.rotation_gap, o.duration / 2);
    if (!rotations_given) o.rotations = ~std::uint64_t{0};
  }
  if (o.size > kMaxEntrySize)
    return usage("--size " + std::to_string(o.size) + ": at most " + std::to_string(kMaxEntrySize) +
                 " bytes (etcd refuses records of 10 MiB or more)");
  if (o.alternate_plaintext && o.cipher == cipher_choice::none)
    return usage("--alternate-plaintext: needs an encrypting --cipher to compare with plaintext");
  if (o.alternate_plaintext && o.rotate_at > 0)
    return usage("--alternate-plaintext: cannot be combined with --rotate-at");
  if (o.alternate_plaintext && o.duration < 4 * o.slice)
    return usage("--alternate-plaintext: --duration must cover at least 4 slices");
  if (o.producers > 4096) return usage("--producers: at most 4096");
  if (o.rotate_at > 0 && o.rotate_at >= o.duration)
    return usage("--rotate-at: must be before the end of --duration");
  if (o.keep && o.data_dir.empty())
    return usage("--keep: needs --data-dir DIR (the default temp dir is always removed)");
  if (o.reopen && o.data_dir.empty())
    return usage("--reopen: needs --data-dir DIR (the store to append to)");
  if (o.alternate_plaintext && (o.reopen || !o.ack_log.empty() || rotate_every_given))
    return usage("--alternate-plaintext: cannot be combined with --reopen, --ack-log or --rotate-every");
  if (o.alternate_plaintext && (o.rate > 0 || o.snapshot_every > 0 || !o.csv_file.empty()))
    return usage("--alternate-plaintext: cannot be combined with --rate, --snapshot-every or --csv");
  if (o.reopen) o.keep = true;
  return o;
}

result<double> parse_rate(const std::string& option, const std::string& text) {
  std::string number = text;
  double unit = 1;
  if (!number.empty() && (number.back() == 'k' || number.back() == 'M')) {
    unit = number.back() == 'k' ? 1e3 : 1e6;
    number.pop_back();
  }
  std::size_t used = 0;
  double value = 0;
  try {
    value = std::stod(number, &used) * unit;
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != number.size() || !(value > 0) || value > 1e9)
    return usage(option + " " + text + ": not a rate (appends per second above 0, e.g. 5000, 2.5k, 1M)");
  return value;
}

result<pipeline_options> parse_rotation_options(const std::vector<std::string>& args) {
  std::vector<std::string> with_defaults = {"--producers", "64", "--duration", "5.5",
                                            "--rotate-at", "1", "--rotations", "12"};
  with_defaults.insert(with_defaults.end(), args.begin(), args.end());
  return parse_pipeline_options(with_defaults);
}

result<ceiling_options> parse_ceiling_options(const std::vector<std::string>& args) {
  ceiling_options o;
  flag_table flags;
  flags.valued["--block"] = [&](const std::string& v) -> status {
    RV_ASSIGN(o.block, positive(parse_byte_size("--block", v), "--block"));
    if (o.block > (64ull << 20)) return usage("--block: at most 64MiB");
    return {};
  };
  flags.valued["--seal-size"] = [&](const std::string& v) -> status {
    RV_ASSIGN(o.seal_size, positive(parse_byte_size("--seal-size", v), "--seal-size"));
    if (o.seal_size > kMaxEntrySize) return usage("--seal-size: at most " + std::to_string(kMaxEntrySize));
    return {};
  };
  flags.valued["--duration"] = [&](const std::string& v) -> status {
    RV_ASSIGN(o.duration, parse_seconds("--duration", v));
    if (o.duration < 0.05) return usage("--duration " + v + ": at least 50ms per measurement");
    return {};
  };
  flags.valued["--data-dir"] = [&](const std::string& v) { return set_data_dir(o.data_dir, v); };
  add_output_flags(flags, o.json, o.json_file, nullptr);
  RV_TRY(flags.parse(args));
  return o;
}

result<recovery_options> parse_recovery_options(const std::vector<std::string>& args) {
  recovery_options o;
  flag_table flags;
  flags.valued["--store-size"] = [&](const std::string& v) -> status {
    RV_ASSIGN(o.store_size, positive(parse_byte_size("--store-size", v), "--store-size"));
    return {};
  };
  flags.valued["--size"] = [&](const std::string& v) -> status {
    RV_ASSIGN(o.size, positive(parse_byte_size("--size", v), "--size"));
    if (o.size > kMaxEntrySize) return usage("--size: at most " + std::to_string(kMaxEntrySize));
    return {};
  };
  flags.valued["--cipher"] = [&](const std::string& v) -> status {
    RV_ASSIGN(o.cipher, parse_cipher(v));
    return {};
  };
  flags.valued["--data-dir"] = [&](const std::string& v) { return set_data_dir(o.data_dir, v); };
  flags.switches["--no-cold"] = [&] { o.cold = false; };
  add_output_flags(flags, o.json, o.json_file, nullptr);
  RV_TRY(flags.parse(args));
  if (o.store_size < o.size) return usage("--store-size: smaller than one entry (--size)");
  return o;
}

result<all_options> parse_all_options(const std::vector<std::string>& args) {
  all_options o;
  flag_table flags;
  flags.valued["--duration"] = [&](const std::string& v) -> status {
    RV_ASSIGN(o.duration, parse_seconds("--duration", v));
    if (o.duration < 0.5) return usage("--duration " + v + ": at least 0.5 seconds");
    return {};
  };
  flags.valued["--store-size"] = [&](const std::string& v) -> status {
    RV_ASSIGN(o.store_size, positive(parse_byte_size("--store-size", v), "--store-size"));
    if (o.store_size < (1u << 20)) return usage("--store-size: at least 1MiB");
    return {};
  };
  flags.valued["--data-dir"] = [&](const std::string& v) { return set_data_dir(o.data_dir, v); };
  flags.switches["--quick"] = [&] { o.quick = true; };
  add_output_flags(flags, o.json, o.json_file, &o.csv_file);
  RV_TRY(flags.parse(args));
  return o;
}

}  // namespace raftvault::bench
