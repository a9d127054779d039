#include "reliability/sweep_mutation.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "fileio/file.h"
#include "raftlog/wal_format.h"

namespace raftvault::reliability {
namespace {

namespace fs = std::filesystem;

// The place a deleted file waits for undo(): beside the store, never inside it.
std::string removed_path(const std::string& dir) { return dir + ".removed"; }

status restore_file(const std::string& dir, const std::string& pristine_dir,
                    const std::string& file) {
  RV_ASSIGN(const std::string bytes, fileio::read_file(pristine_dir + "/" + file));
  RV_ASSIGN(auto out, fileio::file::open(dir + "/" + file, O_WRONLY | O_CREAT | O_TRUNC));
  RV_TRY(out.write_all(bytes));
  return out.close();
}

}  // namespace

std::string describe(const mutation& m) {
  const std::string where = m.region.empty() ? "" : " (" + m.region + ")";
  switch (m.kind) {
    case mutation_kind::flip_bit:
      return "flip bit " + std::to_string(m.bit) + " of byte " + std::to_string(m.offset) + where +
             " of " + m.file;
    case mutation_kind::truncate:
      return "truncate " + m.file + " to " + std::to_string(m.offset) + " bytes" + where;
    case mutation_kind::zero_sector:
      return "zero the sector at byte " + std::to_string(m.offset) + where + " of " + m.file;
    case mutation_kind::remove:
      return "delete " + m.file;
    case mutation_kind::rename:
      return "rename " + m.file + " to " + m.renamed_to;
  }
  return m.file;
}

status apply(const std::string& dir, const mutation& m, std::string& saved) {
  const std::string path = dir + "/" + m.file;
  switch (m.kind) {
    case mutation_kind::flip_bit: {
      RV_ASSIGN(auto f, fileio::file::open(path, O_RDWR));
      char byte = 0;
      RV_TRY(f.pread_exact(&byte, 1, m.offset));
      saved.assign(1, byte);
      byte = static_cast<char>(byte ^ (1 << m.bit));
      RV_TRY(f.pwrite_all(&byte, 1, m.offset));
      return f.close();
    }
    case mutation_kind::truncate: {
      RV_ASSIGN(auto f, fileio::file::open(path, O_RDWR));
      RV_TRY(f.truncate(m.offset));
      return f.close();
    }
    case mutation_kind::zero_sector: {
      RV_ASSIGN(auto f, fileio::file::open(path, O_RDWR));
      RV_ASSIGN(const std::uint64_t size, f.size());
      const auto length = static_cast<std::size_t>(
          std::min<std::uint64_t>(raftlog::kSectorBytes, size - m.offset));
      saved.resize(length);
      RV_TRY(f.pread_exact(saved.data(), length, m.offset));
      const std::string zeros(length, '\0');
      RV_TRY(f.pwrite_all(zeros.data(), length, m.offset));
      return f.close();
    }
    case mutation_kind::remove:
      return fileio::rename(path, removed_path(dir));
    case mutation_kind::rename:
      return fileio::rename(path, dir + "/" + m.renamed_to);
  }
  return {};
}

status undo(const std::string& dir, const std::string& pristine_dir, const mutation& m,
            const std::string& saved) {
  const std::string path = dir + "/" + m.file;
  switch (m.kind) {
    case mutation_kind::flip_bit:
    case mutation_kind::zero_sector: {
      RV_ASSIGN(auto f, fileio::file::open(path, O_WRONLY));
      RV_TRY(f.pwrite_all(saved.data(), saved.size(), m.offset));
      return f.close();
    }
    case mutation_kind::truncate:
      return restore_file(dir, pristine_dir, m.file);
    case mutation_kind::remove:
      return fileio::rename(removed_path(dir), path);
    case mutation_kind::rename:
      return fileio::rename(dir + "/" + m.renamed_to, path);
  }
  return {};
}

status copy_store(const std::string& from, const std::string& to) {
  std::error_code ec;
  fs::remove_all(to, ec);
  fs::create_directories(fs::path(to).parent_path(), ec);
  fs::copy(from, to, fs::copy_options::recursive, ec);
  if (ec) return error(errc::io, "copy " + from + " to " + to + ": " + ec.message());
  for (auto it = fs::recursive_directory_iterator(to, ec); !ec && it != fs::end(it); it.increment(ec)) {
    const unsigned mode = it->is_directory() ? fileio::kPrivateDirMode : fileio::kPrivateFileMode;
    if (::chmod(it->path().c_str(), mode) != 0) return io_error("chmod", it->path().string(), errno);
  }
  if (::chmod(to.c_str(), fileio::kPrivateDirMode) != 0) return io_error("chmod", to, errno);
  if (ec) return error(errc::io, "walk " + to + ": " + ec.message());
  return {};
}

}  // namespace raftvault::reliability
