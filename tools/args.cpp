#include "tools/args.h"

#include <iostream>
#include <string_view>

namespace raftvault::cli {

flag_spec unlock_key_file_flag() {
  return {"unlock-key-file", "FILE",
          "file (0600) holding the unlock key; else $RAFTVAULT_UNLOCK_KEY, else a prompt on a terminal"};
}

flag_spec segment_size_flag() {
  return {"segment-size", "BYTES", "WAL segment size of the new files (default 64000000, as etcd)"};
}

std::string parsed_args::value(const std::string& name, const std::string& fallback) const {
  auto it = values_.find(name);
  return it == values_.end() ? fallback : it->second;
}

namespace {

const flag_spec* find_flag(const command_spec& spec, std::string_view name) {
  for (const auto& f : spec.flags)
    if (f.name == name) return &f;
  return nullptr;
}

std::string synopsis(const command_spec& spec) {
  std::string out = "raftvault " + spec.name;
  if (!spec.positionals.empty()) out += " " + spec.positionals;
  for (const auto& f : spec.flags) {
    std::string word = "--" + f.name + (f.value_name.empty() ? "" : " " + f.value_name);
    out += f.required ? " " + word : " [" + word + "]";
  }
  return out;
}

}  // namespace

void print_help(const command_spec& spec, std::ostream& out) {
  out << "usage: " << synopsis(spec) << "\n\n" << spec.summary << "\n";
  if (!spec.description.empty()) out << "\n" << spec.description << "\n";
  out << "\nflags:\n";
  std::size_t width = 6;
  for (const auto& f : spec.flags)
    width = std::max(width, f.name.size() + 3 + (f.value_name.empty() ? 0 : f.value_name.size() + 1));
  auto row = [&](const std::string& left, const std::string& help) {
    out << "  " << left << std::string(width - left.size() + 2, ' ') << help << "\n";
  };
  for (const auto& f : spec.flags)
    row("--" + f.name + (f.value_name.empty() ? "" : " " + f.value_name),
        f.help + (f.required ? " (required)" : ""));
  row("--help", "show this help");
  out << "\nexit codes: 0 success, 1 refused operation or damaged data, 2 usage error\n";
}

int usage_error(const command_spec& spec, const std::string& message) {
  std::cerr << "raftvault " << spec.name << ": " << message << " (see raftvault " << spec.name
            << " --help)" << std::endl;
  return kExitUsage;
}

std::optional<std::uint64_t> parse_index(const command_spec& spec, const std::string& flag,
                                         const std::string& text, int& exit_code) {
  bool digits = !text.empty() && text.size() <= 20;
  for (char c : text) digits = digits && c >= '0' && c <= '9';
  if (digits) {
    try {
      return std::stoull(text);
    } catch (const std::exception&) {
    }
  }
  exit_code = usage_error(spec, "--" + flag + " expects a non-negative integer, got '" + text + "'");
  return std::nullopt;
}

std::optional<std::uint64_t> segment_size_from(const command_spec& spec, const parsed_args& args,
                                               int& exit_code) {
  if (!args.has("segment-size")) return kDefaultSegmentSize;
  auto size = parse_index(spec, "segment-size", args.value("segment-size"), exit_code);
  if (!size) return std::nullopt;
  if (*size < kMinSegmentSize || *size > kMaxSegmentSize) {
    exit_code = usage_error(spec, "--segment-size must be between 65536 and 1073741824 bytes");
    return std::nullopt;
  }
  return size;
}

std::optional<int> parse_args(const command_spec& spec, int argc, char** argv, parsed_args& out) {
  for (int i = 0; i < argc; ++i) {
    std::string_view word = argv[i];
    if (word == "--help" || word == "-h") {
      print_help(spec, std::cout);
      return kExitOk;
    }
    if (word.size() > 2 && word.substr(0, 2) == "--") {
      std::string_view name = word.substr(2);
      std::optional<std::string> inline_value;
      if (auto eq = name.find('='); eq != std::string_view::npos) {
        inline_value = std::string(name.substr(eq + 1));
        name = name.substr(0, eq);
      }
      const flag_spec* flag = find_flag(spec, name);
      if (!flag) return usage_error(spec, "unknown flag --" + std::string(name));
      if (out.present_.count(flag->name))
        return usage_error(spec, "--" + flag->name + " given twice");
      if (flag->value_name.empty()) {
        if (inline_value) return usage_error(spec, "--" + flag->name + " takes no value");
      } else if (inline_value) {
        out.values_[flag->name] = *inline_value;
      } else {
        if (i + 1 >= argc)
          return usage_error(spec, "--" + flag->name + " needs a value (" + flag->value_name + ")");
        out.values_[flag->name] = argv[++i];
      }
      if (!flag->value_name.empty() && out.values_[flag->name].empty())
        return usage_error(spec, "--" + flag->name + " needs a non-empty value (" + flag->value_name + ")");
      out.present_.insert(flag->name);
      continue;
    }
    if (word.size() > 1 && word[0] == '-')
      return usage_error(spec, "unknown flag " + std::string(word));
    if (out.positional_.size() >= spec.positional_count)
      return usage_error(spec, "unexpected argument '" + std::string(word) + "'");
    out.positional_.emplace_back(word);
  }
  for (const auto& f : spec.flags)
    if (f.required && !out.has(f.name))
      return usage_error(spec, "--" + f.name + " " + f.value_name + " is required");
  if (out.positional_.size() < spec.positional_count)
    return usage_error(spec, "expected " + spec.positionals);
  return std::nullopt;
}

}  // namespace raftvault::cli
