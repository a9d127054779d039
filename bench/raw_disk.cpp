#include "bench/raw_disk.h"

#include <fcntl.h>
#include <sys/uio.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>

#include "bench/payload.h"
#include "fileio/file.h"
#include "raftlog/tail_writer.h"

namespace raftvault::bench {
namespace {

using clock_type = std::chrono::steady_clock;

struct free_deleter {
  void operator()(void* p) const { std::free(p); }
};

// The timing loop shared by every mode: `durable(i)` makes block i durable and returns when it
// is; `sync_start` is set where the fdatasync alone begins (left as is: no separate sync).
template <class Durable>
status timed_blocks(raw_disk_run& out, std::uint64_t max_blocks, clock_type::duration max_time,
                    std::uint64_t min_blocks, Durable durable) {
  const auto start = clock_type::now();
  const bool timed = max_time != clock_type::duration::max();
  const auto deadline = timed ? start + max_time : clock_type::time_point::max();
  for (std::uint64_t i = 0; i < max_blocks; ++i) {
    const auto write_start = clock_type::now();
    if (i >= min_blocks && write_start >= deadline) break;
    std::optional<clock_type::time_point> sync_start;
    RV_TRY(durable(i, sync_start));
    const auto done = clock_type::now();
    out.write_and_sync.record(done - write_start);
    if (sync_start) out.sync_only.record(done - *sync_start);
    ++out.blocks;
  }
  out.seconds = std::chrono::duration<double>(clock_type::now() - start).count();
  return {};
}

status pwritev2_all(const fileio::file& f, const void* data, std::size_t size, std::uint64_t offset,
                    int flags) {
  iovec iov{const_cast<void*>(data), size};
  const ssize_t written = ::pwritev2(f.fd(), &iov, 1, static_cast<off_t>(offset), flags);
  if (written < 0) return io_error("pwritev2 at " + std::to_string(offset) + " of", f.path(), errno);
  if (static_cast<std::size_t>(written) != size)
    return error(errc::io, f.path() + ": short pwritev2 at " + std::to_string(offset));
  return {};
}

}  // namespace

const char* to_string(raw_io io) {
  switch (io) {
    case raw_io::buffered: return "write_fdatasync";
    case raw_io::direct: return "direct_fdatasync";
    case raw_io::dsync: return "dsync_write";
    case raw_io::rwf_dsync: return "rwf_dsync";
    case raw_io::direct_rwf_dsync: return "direct_rwf_dsync";
  }
  return "unknown";
}

void raw_disk_run::merge(const raw_disk_run& other) {
  write_and_sync.merge(other.write_and_sync);
  sync_only.merge(other.sync_only);
  blocks += other.blocks;
  bytes += other.bytes;
  seconds += other.seconds;
}

result<raw_disk_run> measure_raw_disk(scratch_dir& scratch, const std::string& file_name,
                                      raw_io io, std::uint64_t block_size,
                                      std::uint64_t max_blocks,
                                      std::chrono::steady_clock::duration max_time,
                                      std::uint64_t min_blocks) {
  const std::string path = scratch.path() + "/" + file_name;
  constexpr std::uint64_t kAlign = raftlog::tail_writer::kBlock;
  // O_DIRECT + RWF_DSYNC writes whole aligned blocks: the block padded to them.
  const std::uint64_t stride =
      io == raw_io::direct_rwf_dsync ? (block_size + kAlign - 1) / kAlign * kAlign : block_size;
  RV_ASSIGN(auto f, fileio::file::open(path, O_WRONLY | O_CREAT | O_EXCL, fileio::kPrivateFileMode));
  scratch.remove_at_end(path);
  RV_TRY(f.preallocate(0, stride * max_blocks));
  RV_TRY(f.fsync());
  RV_TRY(fileio::fsync_dir(scratch.path()));

  const std::string block = make_payload(block_size);
  raw_disk_run out;
  if (io == raw_io::buffered || io == raw_io::direct) {
    raftlog::tail_writer writer(io == raw_io::direct);
    RV_TRY(writer.attach(f, 0));
    if (io == raw_io::direct && !writer.direct())
      return error(errc::io, path + ": the file system does not take O_DIRECT writes");
    RV_TRY(timed_blocks(out, max_blocks, max_time, min_blocks, [&](std::uint64_t i, auto& sync_start) -> status {
      RV_TRY(writer.write(f, block, i * block_size));
      sync_start = clock_type::now();
      return f.fdatasync();
    }));
  } else if (io == raw_io::dsync) {
    RV_TRY(f.close());
    RV_ASSIGN(f, fileio::file::open(path, O_WRONLY | O_DSYNC));
    RV_TRY(timed_blocks(out, max_blocks, max_time, min_blocks, [&](std::uint64_t i, auto&) {
      return f.pwrite_all(block.data(), block.size(), i * block_size);
    }));
  } else {
    const bool direct = io == raw_io::direct_rwf_dsync;
    std::unique_ptr<char, free_deleter> aligned;
    const char* data = block.data();
    if (direct) {
      RV_TRY(f.close());
      auto opened = fileio::file::open(path, O_WRONLY | O_DIRECT);
      if (!opened) return error(errc::io, path + ": the file system does not take O_DIRECT writes");
      f = std::move(opened).value();
      void* memory = nullptr;
      if (posix_memalign(&memory, kAlign, stride) != 0) return error(errc::io, "out of memory");
      aligned.reset(static_cast<char*>(memory));
      std::memset(aligned.get(), 0, stride);
      std::memcpy(aligned.get(), block.data(), block.size());
      data = aligned.get();
    }
    RV_TRY(timed_blocks(out, max_blocks, max_time, min_blocks, [&](std::uint64_t i, auto&) {
      return pwritev2_all(f, data, stride, i * stride, RWF_DSYNC);
    }));
  }
  out.bytes = out.blocks * block_size;
  RV_TRY(f.close());
  return out;
}

}  // namespace raftvault::bench
