// DATA_DIR/.unfinished-store: what a new_store_guard knows, on disk, so that a run killed before
// it finished can still be undone by the next one (new_store_guard.h).
//
//   raftvault unfinished store v1
//   command import
//   data-dir existed            ("made" when the run made it: then all of it goes)
//   entry "keys"                (one per path that existed, quoted as std::quoted does)
//   listed ""
//   empty "snap-v3" 488         (mode in decimal)
//   end                         (a file without it was cut short)
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>

#include "codec/error.h"

namespace raftvault::cli {

constexpr const char* kUnfinishedStoreName = ".unfinished-store";
std::string unfinished_store_path(const std::string& data_dir);

// What a data directory held when a run started: everything a failed run must keep.
struct data_dir_listing {
  bool existed = false;  // the data directory was there
  bool made = false;     // the run made the data directory
  std::set<std::string> entries;      // paths relative to the data dir that existed at start
  std::set<std::string> listed_dirs;  // those of them that were listed (entered)
  std::map<std::string, unsigned> empty_dirs;  // listed, empty, not the data dir: their modes
};

struct new_store_journal {
  std::string command;  // "init", "import": named when the next run discards it
  data_dir_listing listing;
};

std::string encode_journal(const new_store_journal& journal);
// errc::corruption naming `path` when the text is not one encode_journal wrote, whole.
result<new_store_journal> decode_journal(std::string_view text, const std::string& path);

}  // namespace raftvault::cli
