#include "tools/permission_notes.h"

#include <map>
#include <vector>

#include "fileio/file.h"
#include "raftlog/store_permissions.h"
#include "tools/report.h"

namespace raftvault::cli {
namespace {

std::string change(const raftlog::loose_permission& l) {
  return "mode " + fileio::mode_text(l.mode) + " -> " + fileio::mode_text(l.private_mode());
}

// One line per directory, and one per directory whose files are loose (a WAL restored under
// the wrong umask has every segment at 0644: naming each would bury the point).
std::vector<std::string> describe(const std::vector<raftlog::loose_permission>& found, bool made) {
  std::vector<std::string> lines;
  std::map<std::string, std::vector<const raftlog::loose_permission*>> files_by_dir;
  for (const auto& l : found) {
    if (!l.directory) {
      files_by_dir[fileio::parent_dir(l.path)].push_back(&l);
    } else if (made) {
      lines.push_back("made directory " + l.path + " private (" + change(l) + ")");
    } else {
      lines.push_back("directory " + l.path + " has mode " + fileio::mode_text(l.mode) +
                      ", open to group or others");
    }
  }
  for (const auto& [dir, files] : files_by_dir) {
    const auto& first = *files.front();
    const std::string count = files.size() == 1 ? "1 file" : std::to_string(files.size()) + " files";
    if (made) {
      lines.push_back("made " + count + " in " + dir + " private (e.g. " + first.path + ": " +
                      change(first) + ")");
    } else {
      lines.push_back(count + " in " + dir + " open to group or others (e.g. " + first.path +
                      " has mode " + fileio::mode_text(first.mode) + ")");
    }
  }
  return lines;
}

}  // namespace

void warn_loose_permissions(const raftlog::store_layout& layout) {
  auto found = raftlog::find_loose_permissions(layout);
  if (!found) return;  // the command's own reads report a directory it cannot list
  for (const auto& line : describe(*found, false))
    note("warning: " + line + ": a store holds secrets; the service's next open or any command "
         "that changes the store makes it private");
}

status make_store_private(const raftlog::store_layout& layout) {
  RV_ASSIGN(auto changed, raftlog::make_permissions_private(layout));
  for (const auto& line : describe(changed, true)) note(line);
  return {};
}

}  // namespace raftvault::cli
