#include "tools/new_store_journal.h"

#include <iomanip>
#include <sstream>

namespace raftvault::cli {
namespace {

constexpr std::string_view kFirstLine = "raftvault unfinished store v1";

}  // namespace

std::string unfinished_store_path(const std::string& data_dir) {
  return data_dir + "/" + kUnfinishedStoreName;
}

std::string encode_journal(const new_store_journal& journal) {
  const data_dir_listing& listing = journal.listing;
  std::ostringstream out;
  out << kFirstLine << "\ncommand " << std::quoted(journal.command) << "\ndata-dir "
      << (listing.made ? "made" : "existed") << "\n";
  for (const auto& entry : listing.entries) out << "entry " << std::quoted(entry) << "\n";
  for (const auto& dir : listing.listed_dirs) out << "listed " << std::quoted(dir) << "\n";
  for (const auto& [dir, mode] : listing.empty_dirs) out << "empty " << std::quoted(dir) << " " << mode << "\n";
  out << "end\n";
  return out.str();
}

result<new_store_journal> decode_journal(std::string_view text, const std::string& path) {
  auto damaged = [&path](const std::string& why) {
    return error(errc::corruption, path + " is damaged (" + why + "): remove the directory it is in");
  };
  if (text.substr(0, kFirstLine.size()) != kFirstLine) return damaged("unknown first line");
  std::istringstream in(std::string(text.substr(kFirstLine.size())));
  new_store_journal journal;
  data_dir_listing& listing = journal.listing;
  std::string word;
  bool data_dir_seen = false;
  while (in >> word) {
    if (word == "end") {
      if (!data_dir_seen) return damaged("no data-dir line");
      return journal;
    }
    std::string name;
    if (word == "data-dir" && in >> name && (name == "made" || name == "existed")) {
      listing.made = name == "made";
      listing.existed = !listing.made;
      data_dir_seen = true;
    } else if (word == "command" && in >> std::quoted(journal.command)) {
    } else if (word == "entry" && in >> std::quoted(name)) {
      listing.entries.insert(name);
    } else if (word == "listed" && in >> std::quoted(name)) {
      listing.listed_dirs.insert(name);
    } else if (unsigned mode = 0; word == "empty" && in >> std::quoted(name) >> mode) {
      listing.empty_dirs[name] = mode;
    } else {
      return damaged("cannot read the line starting " + word);
    }
  }
  return damaged("cut short");
}

}  // namespace raftvault::cli
