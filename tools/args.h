// Command-line parsing for the raftvault subcommands: `--flag VALUE`, `--flag=VALUE`, boolean
// flags and positional words, a generated --help, and usage errors that name the flag (exit 2).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "raftlog/wal_format.h"

namespace raftvault::cli {

constexpr int kExitOk = 0;
constexpr int kExitRefused = 1;  // a refused operation or damaged data
constexpr int kExitUsage = 2;

struct flag_spec {
  std::string name;        // without the leading "--"
  std::string value_name;  // empty: a boolean flag
  std::string help;
  bool required = false;
};

struct command_spec {
  std::string name;         // "init", "unlock-key rotate"
  std::string positionals;  // for the synopsis, e.g. "on|off"; empty: none accepted
  std::size_t positional_count = 0;
  std::string summary;      // one line
  std::string description;  // a paragraph for --help (may be empty)
  std::vector<flag_spec> flags;
};

// The flag every command that may need the unlock key accepts.
flag_spec unlock_key_file_flag();
// --segment-size BYTES for commands that write a new WAL (default etcd's 64,000,000).
flag_spec segment_size_flag();
constexpr std::uint64_t kDefaultSegmentSize = raftlog::kDefaultSegmentBytes;
constexpr std::uint64_t kMinSegmentSize = 64 << 10;  // --segment-size's accepted range
constexpr std::uint64_t kMaxSegmentSize = 1 << 30;

class parsed_args {
 public:
  bool has(const std::string& name) const { return present_.count(name) != 0; }
  std::string value(const std::string& name, const std::string& fallback = {}) const;
  const std::vector<std::string>& positional() const { return positional_; }

 private:
  friend std::optional<int> parse_args(const command_spec&, int, char**, parsed_args&);
  std::set<std::string> present_;
  std::map<std::string, std::string> values_;
  std::vector<std::string> positional_;
};

// Parses argv[0..argc) (the words after the subcommand). Returns nullopt to go on, or the exit
// code to return at once: kExitOk after printing --help, kExitUsage after a usage error.
std::optional<int> parse_args(const command_spec& spec, int argc, char** argv, parsed_args& out);

// Prints "raftvault <command>: <message> (see raftvault <command> --help)" and returns kExitUsage.
int usage_error(const command_spec& spec, const std::string& message);

// A non-negative integer flag value, or a usage error naming the flag.
std::optional<std::uint64_t> parse_index(const command_spec& spec, const std::string& flag,
                                         const std::string& text, int& exit_code);

// --segment-size's value (kDefaultSegmentSize when absent), or a usage error outside
// [65536, 1 GiB].
std::optional<std::uint64_t> segment_size_from(const command_spec& spec, const parsed_args& args,
                                               int& exit_code);

void print_help(const command_spec& spec, std::ostream& out);

}  // namespace raftvault::cli
