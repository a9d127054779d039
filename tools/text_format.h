// Small formatting helpers shared by the subcommands' output.
#pragma once

#include <string>
#include <string_view>

#include "codec/raft_types.h"

namespace raftvault::cli {

std::string to_hex(std::string_view bytes);
std::string sha256_hex(std::string_view bytes);
// etcd's raftpb.EntryType names: "normal", "conf-change", "conf-change-v2", else the number.
std::string entry_type_name(entry_type type);
// The metadata for people: its text when printable, else "<n> bytes".
std::string printable_or_size(std::string_view bytes);

}  // namespace raftvault::cli
