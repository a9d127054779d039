#include "fileio/power_cut.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>

#include "fileio/file.h"

namespace raftvault::fileio {
namespace {

using op = durability_op;
constexpr std::uint64_t kRootNode = 1;
constexpr std::uint64_t kSector = 512;
constexpr std::size_t kChunk = 4096;

// The directory whose fsync makes a name operation durable.
std::uint64_t home_dir(const op& o) {
  return o.what == op::kind::rename || o.what == op::kind::exchange ? o.to_dir : o.dir;
}

template <class Maps>
void apply_name_op(const op& o, Maps& maps) {
  switch (o.what) {
    case op::kind::create:
    case op::kind::make_dir:
      maps[o.dir][o.name] = o.node;
      break;
    case op::kind::rename:
      maps[o.dir].erase(o.name);
      maps[o.to_dir][o.to_name] = o.node;
      break;
    case op::kind::exchange:
      maps[o.dir][o.name] = o.other;
      maps[o.to_dir][o.to_name] = o.node;
      break;
    case op::kind::unlink:
      maps[o.dir].erase(o.name);
      break;
    default:
      break;
  }
}

void apply_data_op(const op& o, std::string& contents) {
  if (o.what == op::kind::resize) {
    contents.resize(static_cast<std::size_t>(o.offset), '\0');
    return;
  }
  const auto end = static_cast<std::size_t>(o.offset) + o.bytes.size();
  if (contents.size() < end) contents.resize(end, '\0');
  contents.replace(static_cast<std::size_t>(o.offset), o.bytes.size(), o.bytes);
}

bool all_zero(const char* p, std::size_t n) {
  return std::all_of(p, p + n, [](char c) { return c == '\0'; });
}

// Writes `contents` to a new file, leaving runs of zeros as holes (a preallocated WAL
// segment reads the same either way).
status write_new_file(const std::string& path, const std::string& contents, unsigned mode) {
  RV_ASSIGN(auto f, file::open(path, O_WRONLY | O_CREAT | O_EXCL, mode));
  if (::fchmod(f.fd(), mode) < 0) return io_error("chmod", path, errno);
  RV_TRY(f.truncate(contents.size()));
  for (std::size_t at = 0; at < contents.size(); at += kChunk) {
    const std::size_t n = std::min(kChunk, contents.size() - at);
    if (!all_zero(contents.data() + at, n)) RV_TRY(f.pwrite_all(contents.data() + at, n, at));
  }
  return f.close();
}

}  // namespace

std::string to_string(unsynced_names n) {
  switch (n) {
    case unsynced_names::none: return "none";
    case unsynced_names::all: return "all";
    case unsynced_names::prefix: return "prefix";
    case unsynced_names::subset: return "subset";
  }
  return "?";
}

std::string to_string(unsynced_data d) {
  switch (d) {
    case unsynced_data::none: return "none";
    case unsynced_data::all: return "all";
    case unsynced_data::torn: return "torn";
    case unsynced_data::scattered: return "scattered";
  }
  return "?";
}

power_cut_replay::power_cut_replay(const durability_recording& recording) : recording_(recording) {
  nodes_[kRootNode].is_dir = true;
  nodes_[kRootNode].mode = kPrivateDirMode;
}

void power_cut_replay::advance_to(std::size_t to) {
  to = std::min(to, recording_.ops.size());
  for (; position_ < to; ++position_) {
    const op& o = recording_.ops[position_];
    switch (o.what) {
      case op::kind::create:
      case op::kind::make_dir: {
        auto& n = nodes_[o.node];
        n = node_state{};
        n.is_dir = o.what == op::kind::make_dir;
        n.mode = o.mode;
        n.parent = o.dir;
        n.name = o.name;
        unsynced_names_.push_back(position_);
        break;
      }
      case op::kind::write:
      case op::kind::resize:
        nodes_[o.node].unsynced.push_back(position_);
        break;
      case op::kind::sync_file: {
        auto& n = nodes_[o.node];
        for (std::size_t i : n.unsynced) apply_data_op(recording_.ops[i], n.durable);
        n.unsynced.clear();
        break;
      }
      case op::kind::sync_dir: {
        std::vector<std::size_t> still;
        for (std::size_t i : unsynced_names_) {
          if (home_dir(recording_.ops[i]) == o.node) {
            apply_name_op(recording_.ops[i], durable_names_);
          } else {
            still.push_back(i);
          }
        }
        unsynced_names_ = std::move(still);
        break;
      }
      case op::kind::rename:
        nodes_[o.node].parent = o.to_dir;
        nodes_[o.node].name = o.to_name;
        unsynced_names_.push_back(position_);
        break;
      case op::kind::exchange:
        std::swap(nodes_[o.node].parent, nodes_[o.other].parent);
        std::swap(nodes_[o.node].name, nodes_[o.other].name);
        unsynced_names_.push_back(position_);
        break;
      case op::kind::unlink:
        unsynced_names_.push_back(position_);
        break;
    }
  }
}

std::string power_cut_replay::path_of(std::uint64_t node) const {
  std::string path;
  for (int depth = 0; node != kRootNode && depth < 64; ++depth) {
    auto found = nodes_.find(node);
    if (found == nodes_.end()) return "?" + path;
    path = "/" + found->second.name + path;
    node = found->second.parent;
  }
  return path.empty() ? std::string(".") : path.substr(1);
}

std::string power_cut_replay::describe(const op& o) const {
  const auto in_dir = [&](std::uint64_t dir, const std::string& name) {
    return dir == kRootNode ? name : path_of(dir) + "/" + name;
  };
  switch (o.what) {
    case op::kind::create: return "create " + in_dir(o.dir, o.name);
    case op::kind::make_dir: return "mkdir " + in_dir(o.dir, o.name);
    case op::kind::write:
      return "write " + std::to_string(o.bytes.size()) + " bytes at " + std::to_string(o.offset) +
             " of " + path_of(o.node);
    case op::kind::resize: return "resize " + path_of(o.node) + " to " + std::to_string(o.offset);
    case op::kind::sync_file: return "fsync " + path_of(o.node);
    case op::kind::sync_dir: return "fsync dir " + path_of(o.node);
    case op::kind::rename: return "rename " + in_dir(o.dir, o.name) + " -> " + in_dir(o.to_dir, o.to_name);
    case op::kind::exchange: return "exchange " + in_dir(o.dir, o.name) + " <-> " + in_dir(o.to_dir, o.to_name);
    case op::kind::unlink: return "unlink " + in_dir(o.dir, o.name);
  }
  return "?";
}

std::string power_cut_replay::describe_last() const {
  if (position_ == 0) return "start";
  if (position_ <= recording_.baseline) return "the tree as recording began";
  return describe(recording_.ops[position_ - 1]);
}

std::string power_cut_replay::contents_at_cut(const node_state& file, std::mt19937_64& random,
                                              unsynced_data mode, cut_summary& summary) const {
  const std::size_t pending = file.unsynced.size();
  summary.writes_pending += pending;
  if (mode == unsynced_data::scattered && pending > 0) return scattered_contents(file, random, summary);
  std::size_t whole = 0;
  if (mode == unsynced_data::all) whole = pending;
  if (mode == unsynced_data::torn) whole = std::uniform_int_distribution<std::size_t>(0, pending)(random);
  if (whole == 0 && (mode != unsynced_data::torn || pending == 0)) return file.durable;
  std::string contents = file.durable;
  for (std::size_t k = 0; k < whole; ++k) apply_data_op(recording_.ops[file.unsynced[k]], contents);
  summary.writes_kept += whole;
  if (mode != unsynced_data::torn || whole == pending) return contents;
  // The next write, cut at a sector boundary strictly inside it (if it spans one), half the time.
  const op& next = recording_.ops[file.unsynced[whole]];
  if (next.what != op::kind::write || (random() & 1) == 0) return contents;
  const std::uint64_t first = next.offset / kSector + 1;
  const std::uint64_t last = (next.offset + next.bytes.size() - 1) / kSector;
  if (first > last) return contents;
  const std::uint64_t boundary =
      std::uniform_int_distribution<std::uint64_t>(first, last)(random) * kSector;
  op torn = next;
  torn.bytes.resize(static_cast<std::size_t>(boundary - next.offset));
  apply_data_op(torn, contents);
  ++summary.writes_torn;
  return contents;
}

std::string power_cut_replay::scattered_contents(const node_state& file, std::mt19937_64& random,
                                                 cut_summary& summary) const {
  std::string contents = file.durable;
  for (std::size_t i : file.unsynced) {
    const op& o = recording_.ops[i];
    if (o.what == op::kind::resize) {
      if (random() & 1) {
        apply_data_op(o, contents);
        ++summary.writes_kept;
      }
      continue;
    }
    // Each sector the write touches independently.
    std::size_t kept = 0, sectors = 0;
    for (std::uint64_t at = o.offset; at < o.offset + o.bytes.size(); ++sectors) {
      const std::uint64_t end = std::min<std::uint64_t>((at / kSector + 1) * kSector, o.offset + o.bytes.size());
      if (random() & 1) {
        op piece = o;
        piece.offset = at;
        piece.bytes = o.bytes.substr(static_cast<std::size_t>(at - o.offset), static_cast<std::size_t>(end - at));
        apply_data_op(piece, contents);
        ++kept;
      }
      at = end;
    }
    if (kept == sectors) ++summary.writes_kept;
    else if (kept > 0) ++summary.writes_torn;
  }
  return contents;
}

status power_cut_replay::write_tree(const name_maps& names, std::uint64_t dir_node,
                                    const std::string& dir, const std::string& relative,
                                    std::mt19937_64& random, unsynced_data mode,
                                    cut_summary& summary, int depth) const {
  auto listed = names.find(dir_node);
  if (listed == names.end() || depth > 64) return {};
  for (const auto& [name, node] : listed->second) {
    auto found = nodes_.find(node);
    if (found == nodes_.end()) continue;
    const node_state& n = found->second;
    const std::string path = dir + "/" + name;
    const std::string inside = relative.empty() ? name : relative + "/" + name;
    if (n.is_dir) {
      RV_TRY(make_dir(path, n.mode));
      if (::chmod(path.c_str(), n.mode) < 0) return io_error("chmod", path, errno);
      RV_TRY(write_tree(names, node, path, inside, random, mode, summary, depth + 1));
      continue;
    }
    for (std::size_t i : n.unsynced) {
      const op& o = recording_.ops[i];
      const std::uint64_t from = o.what == op::kind::write ? o.offset : std::min<std::uint64_t>(o.offset, n.durable.size());
      auto [at, fresh] = summary.unsynced_from.emplace(inside, from);
      if (!fresh) at->second = std::min(at->second, from);
    }
    RV_TRY(write_new_file(path, contents_at_cut(n, random, mode, summary), n.mode));
  }
  return {};
}

status power_cut_replay::materialise(const std::string& dir, const cut_choices& choices,
                                     cut_summary* summary) const {
  std::mt19937_64 random(choices.seed);
  cut_summary local;
  cut_summary& out = summary ? *summary : local;
  out = {};

  name_maps names = durable_names_;
  const std::size_t pending = unsynced_names_.size();
  std::size_t prefix = 0;
  if (choices.names == unsynced_names::all) prefix = pending;
  if (choices.names == unsynced_names::prefix)
    prefix = std::uniform_int_distribution<std::size_t>(0, pending)(random);
  for (std::size_t k = 0; k < pending; ++k) {
    const bool kept = choices.names == unsynced_names::subset ? (random() & 1) != 0 : k < prefix;
    if (!kept) continue;
    apply_name_op(recording_.ops[unsynced_names_[k]], names);
    ++out.names_kept;
  }
  out.names_pending = pending;

  RV_TRY(make_dir(dir, kPrivateDirMode));
  return write_tree(names, kRootNode, dir, "", random, choices.data, out, 0);
}

}  // namespace raftvault::fileio
