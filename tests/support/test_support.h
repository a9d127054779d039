// Helpers shared by the test executables: temporary directories on the real disk, the golden
// vectors' location, file digests.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace raftvault::testing {

// A fresh directory under $TMPDIR (default /var/tmp: a real disk, not tmpfs), removed on
// destruction unless RAFTVAULT_KEEP_TEST_DIRS is set.
class temp_dir {
 public:
  temp_dir();
  ~temp_dir();
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// shared/vectors (the RAFTVAULT_VECTORS environment variable overrides the build-time path).
std::string vectors_dir();
std::string etcd_vectors(const std::string& name);  // vectors_dir()/etcd-3.4/<name>

std::string read_bytes(const std::string& path);
void write_bytes(const std::string& path, const std::string& bytes);
std::string sha256_hex(const std::string& bytes);
std::string hex(const std::string& bytes);
std::string unhex(const std::string& text);
// sha256 of every regular file under dir, sorted by relative path: "path sha\n..."
std::string tree_digest(const std::string& dir);
std::vector<std::string> list_files(const std::string& dir);  // sorted names, regular files
// Whether the file system under `dir` opens files with O_DIRECT (ext4 and xfs do, tmpfs since
// Linux 6.6): where it does, a WAL asked for direct I/O must use it.
bool takes_direct_io(const std::string& dir);

}  // namespace raftvault::testing
