#include "raftlog/wal_repair.h"

#include <fcntl.h>

#include "fileio/file.h"
#include "raftlog/wal_format.h"

namespace raftvault::raftlog {
namespace {

status truncate_and_zero(fileio::file& f, std::uint64_t offset) {
  RV_ASSIGN(const std::uint64_t size, f.size());
  RV_TRY(f.truncate(offset));
  // Keep the blocks allocated as before: appends after a repair must not grow the file.
  if (size > offset) RV_TRY(f.preallocate(offset, size - offset));
  return f.fsync();
}

}  // namespace

status repair_torn_tail(const std::string& dir, const std::string& segment_path,
                        std::uint64_t last_valid_offset) {
  RV_ASSIGN(auto original, fileio::read_file(segment_path));
  const std::string broken = segment_path + kBrokenSuffix;
  {
    RV_ASSIGN(auto copy, fileio::file::open(broken, O_WRONLY | O_CREAT | O_TRUNC));
    RV_TRY(copy.write_all(original));
    RV_TRY(copy.fsync());
  }
  RV_ASSIGN(auto f, fileio::file::open(segment_path, O_RDWR));
  RV_TRY(truncate_and_zero(f, last_valid_offset));
  return fileio::fsync_dir(dir);
}

status zero_to_end(const std::string& segment_path, std::uint64_t offset) {
  RV_ASSIGN(auto f, fileio::file::open(segment_path, O_RDWR));
  return truncate_and_zero(f, offset);
}

}  // namespace raftvault::raftlog
