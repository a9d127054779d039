// Test-only: the trees a power cut may leave, replayed from a durability recording
// (durability_log.h).
//
// The model: a file's data is durable up to its last fsync/fdatasync; what was written after
// it may be lost, kept, or kept in part — a prefix of the unsynced writes in order, the last
// one torn at a 512-byte sector boundary of the file, or any subset of their sectors (page
// cache write-back and disks reorder unsynced writes). A name (create, mkdir, rename, unlink)
// is durable once its directory was fsynced after it (a rename's destination directory);
// before that it may be undone. Which unsynced names survive is chosen among orders a kernel
// may take: none, all, a prefix of them in the order they were made (journalling file
// systems), or any subset applied in order.
#pragma once

#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "codec/error.h"
#include "fileio/durability_log.h"

namespace raftvault::fileio {

enum class unsynced_names { none, all, prefix, subset };
enum class unsynced_data { none, all, torn, scattered };

struct cut_choices {
  unsynced_names names = unsynced_names::none;
  unsynced_data data = unsynced_data::none;
  std::uint64_t seed = 0;  // the random prefixes, subsets and tears derive from it
};

std::string to_string(unsynced_names n);
std::string to_string(unsynced_data d);

// What one materialised cut kept of what was not durable.
struct cut_summary {
  std::size_t names_pending = 0;  // unsynced name operations
  std::size_t names_kept = 0;
  std::size_t writes_pending = 0;  // unsynced writes and size changes
  std::size_t writes_kept = 0;     // kept whole
  std::size_t writes_torn = 0;     // kept in part: up to a sector boundary, or some sectors
  // Each file with unsynced writes (path relative to the tree) -> the lowest offset they touch:
  // bytes before it are exactly what was made durable.
  std::map<std::string, std::uint64_t> unsynced_from;
};

class power_cut_replay {
 public:
  explicit power_cut_replay(const durability_recording& recording);

  // Replays operations [position(), to): `to` never goes back.
  void advance_to(std::size_t to);
  std::size_t position() const { return position_; }
  // The last operation replayed, in words ("fdatasync wal-v3-encrypted/0000-0001.wal").
  std::string describe_last() const;

  // Writes the tree a power cut at position() may leave into the new directory `dir`.
  status materialise(const std::string& dir, const cut_choices& choices, cut_summary* summary) const;

 private:
  struct node_state {
    bool is_dir = false;
    unsigned mode = 0;
    std::uint64_t parent = 0;  // its latest name, for descriptions
    std::string name;
    std::string durable;               // file: contents its last sync made durable
    std::vector<std::size_t> unsynced;  // file: write/resize operations since
  };
  // Directory node -> its names (name -> node).
  using name_maps = std::map<std::uint64_t, std::map<std::string, std::uint64_t>>;

  std::string path_of(std::uint64_t node) const;
  std::string describe(const durability_op& o) const;
  std::string contents_at_cut(const node_state& file, std::mt19937_64& random,
                              unsynced_data mode, cut_summary& summary) const;
  std::string scattered_contents(const node_state& file, std::mt19937_64& random,
                                 cut_summary& summary) const;
  status write_tree(const name_maps& names, std::uint64_t dir_node, const std::string& dir,
                    const std::string& relative, std::mt19937_64& random, unsynced_data mode,
                    cut_summary& summary, int depth) const;

  const durability_recording& recording_;
  std::size_t position_ = 0;
  std::map<std::uint64_t, node_state> nodes_;
  name_maps durable_names_;                  // what the last fsync of each directory made durable
  std::vector<std::size_t> unsynced_names_;  // name operations not yet durable, in order
};

}  // namespace raftvault::fileio
