#include "raftlog/tail_writer.h"

#include <fcntl.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <new>

namespace raftvault::raftlog {
namespace {

std::uint64_t block_start(std::uint64_t offset) { return offset - offset % tail_writer::kBlock; }
std::size_t round_up(std::size_t n, std::size_t to) { return (n + to - 1) / to * to; }

}  // namespace

status tail_writer::open_direct(const std::string& path) {
  auto opened = fileio::file::open(path, O_WRONLY | O_DIRECT);
  if (!opened) {
    if (opened.error().sys_errno() == EINVAL) {  // the file system has no direct I/O
      fall_back();
      return {};
    }
    return opened.error();
  }
  direct_ = std::move(opened).value();
  reserve(kBlock);
  return {};
}

void tail_writer::reserve(std::size_t bytes) {
  if (bytes <= capacity_) return;
  const std::size_t capacity = round_up(std::max(bytes, 2 * capacity_), 1 << 20);
  void* memory = std::aligned_alloc(kBlock, capacity);
  if (memory == nullptr) throw std::bad_alloc();
  std::unique_ptr<char, void (*)(void*)> grown{static_cast<char*>(memory), &std::free};
  if (staging_) std::memcpy(grown.get(), staging_.get(), end_ % kBlock);
  staging_ = std::move(grown);
  capacity_ = capacity;
}

void tail_writer::fall_back() {
  wanted_ = false;
  (void)direct_.close();
}

status tail_writer::attach(const fileio::file& tail, std::uint64_t end) {
  (void)direct_.close();
  end_ = end;
  if (!wanted_) return {};
  RV_TRY(open_direct(tail.path()));
  const std::size_t carry = end % kBlock;
  if (direct() && carry > 0) RV_TRY(tail.pread_exact(staging_.get(), carry, block_start(end)));
  written_end_ = round_up(end, kBlock);
  RV_ASSIGN(size_, tail.size());
  return {};
}

status tail_writer::renamed(const std::string& path) {
  if (!direct()) return {};
  (void)direct_.close();
  return open_direct(path);
}

status tail_writer::write(fileio::file& tail, std::string_view bytes, std::uint64_t offset) {
  if (offset != end_) {
    return error(errc::invalid_argument, tail.path() + ": WAL write at offset " +
                                             std::to_string(offset) + ", expected " +
                                             std::to_string(end_));
  }
  if (direct()) {
    status written = write_direct(bytes);
    // EINVAL before any byte went out: the file system takes O_DIRECT opens but not our
    // alignment. Write through the page cache from now on.
    if (written || written.error().sys_errno() != EINVAL || end_ != offset) return written;
    fall_back();
  }
  RV_TRY(tail.pwrite_all(bytes.data(), bytes.size(), offset));
  end_ = offset + bytes.size();
  return {};
}

status tail_writer::write(fileio::file& tail, wal_encoder& encoder, std::uint64_t offset) {
  const auto carried_now = carried();
  const auto in_front = encoder.carried_and_bytes().substr(0, encoder.carried());
  if (!direct() || offset != end_ || in_front != carried_now) return write(tail, encoder.bytes(), offset);
  status written = write_in_place(encoder);
  if (written || written.error().sys_errno() != EINVAL || end_ != offset) return written;
  fall_back();  // as in write(tail, bytes, offset)
  return write(tail, encoder.bytes(), offset);
}

std::string_view tail_writer::carried() const {
  if (!direct()) return {};
  return {staging_.get(), static_cast<std::size_t>(end_ % kBlock)};
}

std::size_t tail_writer::padded_length(std::size_t bytes) const {
  const std::size_t carry = end_ % kBlock;
  const std::size_t used = carry + bytes;
  const std::uint64_t start = end_ - carry;
  std::size_t padded = round_up(used, kBlock);
  // Zeros ahead: a write into preallocated (unwritten) blocks makes the next fdatasync write
  // the extent change too, which costs more than a write into blocks written before. Small
  // writes therefore also write the zeros the segment holds anyway, up to the next kZeroAhead
  // boundary, so that the writes after them only overwrite.
  if (bytes < kZeroAhead && start + padded > written_end_) {
    const std::uint64_t ahead = std::min<std::uint64_t>(round_up(start + used, kZeroAhead), size_);
    if (ahead > start + padded) padded = static_cast<std::size_t>(ahead - start);
  }
  return padded;
}

void tail_writer::written(const char* run, std::size_t used, std::size_t padded) {
  const std::uint64_t start = end_ - end_ % kBlock;
  end_ = start + used;
  written_end_ = std::max<std::uint64_t>(written_end_, start + padded);
  size_ = std::max<std::uint64_t>(size_, start + padded);
  // The new partial block starts on a block boundary of `run`: keep it at the staging's start.
  const std::size_t next_carry = end_ % kBlock;
  if (next_carry > 0 && (run != staging_.get() || used > next_carry))
    std::memmove(staging_.get(), run + (used - next_carry), next_carry);
}

std::uint64_t tail_writer::zeroed_ahead() const {
  return direct() ? written_end_ - round_up(end_, kBlock) : 0;
}

result<std::uint64_t> tail_writer::zero_ahead(std::uint64_t bytes) {
  if (!direct() || bytes == 0) return std::uint64_t{0};
  const std::uint64_t to = std::min<std::uint64_t>(block_start(size_), round_up(written_end_ + bytes, kBlock));
  if (to <= written_end_) return std::uint64_t{0};
  const auto length = static_cast<std::size_t>(to - written_end_);
  if (zeros_capacity_ < length) {
    void* memory = std::aligned_alloc(kBlock, length);
    if (memory == nullptr) throw std::bad_alloc();
    std::memset(memory, 0, length);
    zeros_ = {static_cast<char*>(memory), &std::free};
    zeros_capacity_ = length;
  }
  RV_TRY(direct_.pwrite_all(zeros_.get(), length, written_end_));
  written_end_ = to;
  return std::uint64_t{length};
}

status tail_writer::write_direct(std::string_view bytes) {
  // One write for all of it: each direct write waits for the device, so pieces would each
  // pay a round trip, while one large write goes out as parallel requests.
  const std::size_t carry = end_ % kBlock;
  const std::size_t used = carry + bytes.size();
  const std::size_t padded = padded_length(bytes.size());
  reserve(padded);
  char* staging = staging_.get();
  std::memcpy(staging + carry, bytes.data(), bytes.size());
  std::memset(staging + used, 0, padded - used);
  RV_TRY(direct_.pwrite_all(staging, padded, end_ - carry));
  written(staging, used, padded);
  return {};
}

status tail_writer::write_in_place(wal_encoder& encoder) {
  const std::size_t used = encoder.carried() + encoder.size();
  const std::size_t padded = padded_length(encoder.size());
  char* run = encoder.block_run(padded);
  std::memset(run + used, 0, padded - used);
  RV_TRY(direct_.pwrite_all(run, padded, end_ - encoder.carried()));
  written(run, used, padded);
  ++in_place_writes_;
  return {};
}

}  // namespace raftvault::raftlog
