#include "fileio/durability_log.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <mutex>

namespace raftvault::fileio {
namespace durability_hooks {
std::atomic<bool> armed{false};
}  // namespace durability_hooks

namespace {

using op = durability_op;
using node_key = std::pair<dev_t, ino_t>;

// Raw system calls only: the file layer's own calls would come back into the hooks.
struct recorder {
  std::mutex mutex;
  std::map<node_key, std::uint64_t> nodes;  // the inode of each node recorded
  std::uint64_t next_node = 1;
  durability_recording recording;

  std::uint64_t known(const struct stat& st) const {
    auto found = nodes.find({st.st_dev, st.st_ino});
    return found == nodes.end() ? 0 : found->second;
  }
  std::uint64_t node_of_path(const std::string& path) const {
    struct stat st;
    return ::stat(path.c_str(), &st) == 0 ? known(st) : 0;
  }
  std::uint64_t node_of_fd(int fd) const {
    struct stat st;
    return ::fstat(fd, &st) == 0 ? known(st) : 0;
  }
  // A new node for the inode (numbers of deleted inodes are reused by the kernel).
  std::uint64_t adopt(const struct stat& st) {
    const std::uint64_t node = next_node++;
    nodes[{st.st_dev, st.st_ino}] = node;
    return node;
  }
  void add(op o) { recording.ops.push_back(std::move(o)); }

  void record_tree(const std::string& path, std::uint64_t dir);
  void record_file(const std::string& path, std::uint64_t dir, const std::string& name,
                   const struct stat& st);
  void list_names(const std::string& path, std::uint64_t dir, const std::string& name,
                  std::vector<std::pair<std::uint64_t, std::string>>& out) const;
};

recorder& the_recorder() {
  static recorder r;
  return r;
}

std::string base_name(const std::string& path) {
  return std::filesystem::path(path).lexically_normal().filename().string();
}

std::string parent_of(const std::string& path) {
  auto parent = std::filesystem::path(path).lexically_normal().parent_path().string();
  return parent.empty() ? std::string(".") : parent;
}

std::vector<std::string> entries_of(const std::string& dir) {
  std::vector<std::string> names;
  DIR* handle = ::opendir(dir.c_str());
  if (handle == nullptr) return names;
  while (const dirent* item = ::readdir(handle)) {
    std::string name = item->d_name;
    if (name != "." && name != "..") names.push_back(std::move(name));
  }
  ::closedir(handle);
  std::sort(names.begin(), names.end());
  return names;
}

void recorder::record_file(const std::string& path, std::uint64_t dir, const std::string& name,
                           const struct stat& st) {
  const std::uint64_t node = adopt(st);
  add({op::kind::create, node, dir, name, 0, {}, 0, 0, {}, st.st_mode & 07777u});
  std::string bytes(static_cast<std::size_t>(st.st_size), '\0');
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  std::size_t have = 0;
  while (fd >= 0 && have < bytes.size()) {
    const ssize_t n = ::pread(fd, bytes.data() + have, bytes.size() - have, static_cast<off_t>(have));
    if (n <= 0) break;
    have += static_cast<std::size_t>(n);
  }
  if (fd >= 0) ::close(fd);
  bytes.resize(have);
  if (!bytes.empty()) add({op::kind::write, node, 0, {}, 0, {}, 0, 0, std::move(bytes), 0});
  add({op::kind::sync_file, node, 0, {}, 0, {}, 0, 0, {}, 0});
}

void recorder::record_tree(const std::string& path, std::uint64_t dir) {
  for (const auto& name : entries_of(path)) {
    const std::string child = path + "/" + name;
    struct stat st;
    if (::lstat(child.c_str(), &st) != 0) continue;
    if (S_ISDIR(st.st_mode)) {
      const std::uint64_t node = adopt(st);
      add({op::kind::make_dir, node, dir, name, 0, {}, 0, 0, {}, st.st_mode & 07777u});
      record_tree(child, node);
    } else if (S_ISREG(st.st_mode)) {
      record_file(child, dir, name, st);
    }
  }
  add({op::kind::sync_dir, dir, 0, {}, 0, {}, 0, 0, {}, 0});
}

void recorder::list_names(const std::string& path, std::uint64_t dir, const std::string& name,
                          std::vector<std::pair<std::uint64_t, std::string>>& out) const {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) return;
  if (S_ISDIR(st.st_mode)) {
    const std::uint64_t node = known(st);
    if (node != 0)
      for (const auto& child : entries_of(path)) list_names(path + "/" + child, node, child, out);
  }
  out.emplace_back(dir, name);
}

}  // namespace

bool start_durability_log(const std::string& root) {
  auto& r = the_recorder();
  std::lock_guard<std::mutex> guard(r.mutex);
  if (durability_hooks::armed.load()) return false;
  struct stat st;
  if (::stat(root.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return false;
  r.nodes.clear();
  r.next_node = 1;
  r.recording = {};
  r.recording.root = root;
  r.record_tree(root, r.adopt(st));
  r.recording.baseline = r.recording.ops.size();
  durability_hooks::armed.store(true, std::memory_order_release);
  return true;
}

durability_recording stop_durability_log() {
  auto& r = the_recorder();
  std::lock_guard<std::mutex> guard(r.mutex);
  durability_hooks::armed.store(false, std::memory_order_release);
  r.nodes.clear();
  return std::move(r.recording);
}

std::size_t durability_log_position() {
  auto& r = the_recorder();
  std::lock_guard<std::mutex> guard(r.mutex);
  return r.recording.ops.size();
}

namespace durability_hooks {
namespace {

// Runs `record` under the recorder's lock if still armed.
template <class Record>
void locked(Record record) {
  auto& r = the_recorder();
  std::lock_guard<std::mutex> guard(r.mutex);
  if (armed.load(std::memory_order_relaxed)) record(r);
}

}  // namespace

void opened(const std::string& path, int flags, bool existed, int fd) {
  locked([&](recorder& r) {
    struct stat st;
    if (::fstat(fd, &st) != 0) return;
    if (!existed && (flags & O_CREAT) != 0) {
      const std::uint64_t dir = r.node_of_path(parent_of(path));
      if (dir == 0) return;
      r.add({op::kind::create, r.adopt(st), dir, base_name(path), 0, {}, 0, 0, {}, st.st_mode & 07777u});
      return;
    }
    const std::uint64_t node = r.known(st);
    if (node != 0 && (flags & O_TRUNC) != 0) r.add({op::kind::resize, node, 0, {}, 0, {}, 0, 0, {}, 0});
  });
}

void wrote(int fd, std::uint64_t offset, const void* data, std::size_t size) {
  locked([&](recorder& r) {
    const std::uint64_t node = r.node_of_fd(fd);
    if (node == 0 || size == 0) return;
    r.add({op::kind::write, node, 0, {}, 0, {}, 0, offset,
           std::string(static_cast<const char*>(data), size), 0});
  });
}

void resized(int fd) {
  locked([&](recorder& r) {
    struct stat st;
    if (::fstat(fd, &st) != 0) return;
    const std::uint64_t node = r.known(st);
    if (node != 0)
      r.add({op::kind::resize, node, 0, {}, 0, {}, 0, static_cast<std::uint64_t>(st.st_size), {}, 0});
  });
}

void syncing(int fd, bool is_dir) {
  locked([&](recorder& r) {
    const std::uint64_t node = r.node_of_fd(fd);
    if (node != 0)
      r.add({is_dir ? op::kind::sync_dir : op::kind::sync_file, node, 0, {}, 0, {}, 0, 0, {}, 0});
  });
}

void renamed(const std::string& from, const std::string& to) {
  locked([&](recorder& r) {
    const std::uint64_t node = r.node_of_path(to);
    const std::uint64_t dir = r.node_of_path(parent_of(from));
    const std::uint64_t to_dir = r.node_of_path(parent_of(to));
    if (node == 0 || dir == 0 || to_dir == 0) return;
    r.add({op::kind::rename, node, dir, base_name(from), to_dir, base_name(to), 0, 0, {}, 0});
  });
}

void exchanged(const std::string& a, const std::string& b) {
  locked([&](recorder& r) {
    const std::uint64_t was_at_a = r.node_of_path(b);
    const std::uint64_t was_at_b = r.node_of_path(a);
    const std::uint64_t dir_a = r.node_of_path(parent_of(a));
    const std::uint64_t dir_b = r.node_of_path(parent_of(b));
    if (was_at_a == 0 || was_at_b == 0 || dir_a == 0 || dir_b == 0) return;
    r.add({op::kind::exchange, was_at_a, dir_a, base_name(a), dir_b, base_name(b), was_at_b, 0, {}, 0});
  });
}

void unlinked(const std::string& path) {
  locked([&](recorder& r) {
    const std::uint64_t dir = r.node_of_path(parent_of(path));
    if (dir != 0) r.add({op::kind::unlink, 0, dir, base_name(path), 0, {}, 0, 0, {}, 0});
  });
}

std::vector<std::pair<std::uint64_t, std::string>> names_under(const std::string& path) {
  std::vector<std::pair<std::uint64_t, std::string>> out;
  locked([&](recorder& r) {
    const std::uint64_t dir = r.node_of_path(parent_of(path));
    if (dir != 0) r.list_names(path, dir, base_name(path), out);
  });
  return out;
}

void removed(const std::vector<std::pair<std::uint64_t, std::string>>& names) {
  locked([&](recorder& r) {
    for (const auto& [dir, name] : names) r.add({op::kind::unlink, 0, dir, name, 0, {}, 0, 0, {}, 0});
  });
}

void made_dir(const std::string& path) {
  locked([&](recorder& r) {
    const std::uint64_t dir = r.node_of_path(parent_of(path));
    struct stat st;
    if (dir == 0 || ::stat(path.c_str(), &st) != 0) return;
    r.add({op::kind::make_dir, r.adopt(st), dir, base_name(path), 0, {}, 0, 0, {}, st.st_mode & 07777u});
  });
}

}  // namespace durability_hooks
}  // namespace raftvault::fileio
