// The names etcd gives its files: `%016x-%016x<suffix>`, two 64-bit numbers as 16 lower-case hex
// digits each. WAL segments are `<sequence>-<first index>.wal` (segment_name.h), snapshots
// `<term>-<index>.snap` (snap_file.h); both parse through here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace raftvault::raftlog {

struct hex_name {
  std::uint64_t first = 0;
  std::uint64_t second = 0;
};

std::string format_hex_name(std::uint64_t first, std::uint64_t second, std::string_view suffix);

// nullopt unless `name` is exactly 16 hex digits, '-', 16 hex digits, `suffix`. Only lower case,
// as etcd writes: etcd itself parses with Sscanf and would accept more, raftvault does not.
std::optional<hex_name> parse_hex_name(std::string_view name, std::string_view suffix);

}  // namespace raftvault::raftlog
