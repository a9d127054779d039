// Test-only durability recorder of the file layer: while armed on a directory tree, every
// file-layer call under it that decides what a power cut keeps is recorded in order — new
// names, writes, size changes, fsync/fdatasync of files, fsync of directories, renames and
// unlinks. power_cut.h replays a prefix of the recording into a tree a power cut at that point
// may leave. Production code never arms it; disarmed, each hook costs one atomic load.
//
// Ordering: a write or a name change is recorded after its system call returned, an fsync
// before its system call starts. So a sync recorded after a write covers it for certain, and a
// state where a sync's effect is kept is always possible (it may have finished just before the
// cut). An acknowledgement noted at position P (durability_log_position) follows every
// operation recorded before P.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace raftvault::fileio {

// Files and directories ("nodes", inodes) are numbered from 1, the root; a node keeps its
// number across renames.
struct durability_op {
  enum class kind : std::uint8_t {
    create,     // a new file `node` (mode) named `name` in directory `dir`
    make_dir,   // a new directory `node` (mode) named `name` in `dir`
    write,      // `bytes` written to file `node` at `offset`
    resize,     // file `node`'s size became `offset` (truncate, O_TRUNC, preallocate)
    sync_file,  // fsync/fdatasync of file `node`: everything written to it so far is durable
    sync_dir,   // fsync of directory `node`: its names as they are now are durable
    rename,     // `node` moved from (dir, name) to (to_dir, to_name), replacing what was there
    exchange,   // (dir, name) holding `node` and (to_dir, to_name) holding `other` swapped
    unlink,     // (dir, name) removed
  };
  kind what = kind::create;
  std::uint64_t node = 0;
  std::uint64_t dir = 0;
  std::string name;
  std::uint64_t to_dir = 0;
  std::string to_name;
  std::uint64_t other = 0;
  std::uint64_t offset = 0;
  std::string bytes;
  unsigned mode = 0;
};

struct durability_recording {
  std::string root;
  // The tree as it was when recording began comes first, as durable operations (created,
  // written, synced); `baseline` of them.
  std::size_t baseline = 0;
  std::vector<durability_op> ops;
};

// Arms the recorder on the existing directory `root` (node 1). Refused (false) while armed.
bool start_durability_log(const std::string& root);
// Disarms and hands over the recording.
durability_recording stop_durability_log();
// Operations recorded so far.
std::size_t durability_log_position();

namespace durability_hooks {

extern std::atomic<bool> armed;
inline bool recording() { return armed.load(std::memory_order_acquire); }

// Called by file.cpp while recording() (each re-checks under the recorder's lock).
void opened(const std::string& path, int flags, bool existed, int fd);
void wrote(int fd, std::uint64_t offset, const void* data, std::size_t size);
void resized(int fd);
void syncing(int fd, bool is_dir);
void renamed(const std::string& from, const std::string& to);
void exchanged(const std::string& a, const std::string& b);
void unlinked(const std::string& path);
// remove_all: the names under `path` (children first) are listed before, recorded after.
std::vector<std::pair<std::uint64_t, std::string>> names_under(const std::string& path);
void removed(const std::vector<std::pair<std::uint64_t, std::string>>& names);
void made_dir(const std::string& path);

}  // namespace durability_hooks
}  // namespace raftvault::fileio
