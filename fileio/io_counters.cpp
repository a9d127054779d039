#include "fileio/io_counters.h"

#include <array>
#include <atomic>

namespace raftvault::fileio {
namespace {

constexpr std::size_t kKinds = static_cast<std::size_t>(op::chmod) + 1;  // chmod is the last op
std::array<std::atomic<std::uint64_t>, kKinds> call_counts{};

}  // namespace

std::uint64_t io_call_count(op kind) {
  return call_counts[static_cast<std::size_t>(kind)].load(std::memory_order_relaxed);
}

void reset_io_call_counts() {
  for (auto& count : call_counts) count.store(0, std::memory_order_relaxed);
}

void count_io_call(op kind) {
  call_counts[static_cast<std::size_t>(kind)].fetch_add(1, std::memory_order_relaxed);
}

}  // namespace raftvault::fileio
