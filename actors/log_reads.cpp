#include "actors/log_reads.h"

#include <algorithm>
#include <string>

namespace raftvault::actors {
namespace {

// The smallest frame is its length word: `max_bytes` bounds how many entries can fit.
constexpr std::uint64_t kMinFrameBytes = 8;

std::string range(std::uint64_t lo, std::uint64_t hi) {
  return "[" + std::to_string(lo) + ", " + std::to_string(hi) + ")";
}

error compacted(std::uint64_t i, const log_bounds& b) {
  return error(errc::compacted, "index " + std::to_string(i) +
                                    " is compacted: the first retained index is " +
                                    std::to_string(b.first));
}

error unavailable(std::uint64_t i, const log_bounds& b) {
  return error(errc::unavailable, "index " + std::to_string(i) +
                                      " is unavailable: the last durable index is " +
                                      std::to_string(b.last));
}

}  // namespace

log_bounds durable_bounds(const raftlog::entry_index& index, const accepted_position& at) {
  const auto first = index.first();
  const auto last = index.last();
  const auto snap = at.snapshot_index;
  if (last < first || last < snap) return {snap + 1, snap};
  return {first, last};
}

result<raftlog::located_entries> locate_reads(const raftlog::entry_index& index,
                                              const accepted_position& at, std::uint64_t lo,
                                              std::uint64_t hi, std::uint64_t max_bytes) {
  if (hi < lo)
    return error(errc::invalid_argument, "entries " + range(lo, hi) + ": hi is below lo");
  const auto bounds = durable_bounds(index, at);
  if (lo < bounds.first) return compacted(lo, bounds).with_context("entries " + range(lo, hi));
  if (hi > bounds.last + 1)
    return unavailable(hi - 1, bounds).with_context("entries " + range(lo, hi));
  raftlog::located_entries out;
  out.first_index = lo;
  if (lo == hi) return out;
  const auto fit = std::min(hi - lo, max_bytes / kMinFrameBytes + 1);
  auto located = index.locate(lo, lo + fit);
  if (!located) {
    // A release or truncation since the bounds were taken.
    const auto code = located.error().code() == errc::not_found ? errc::compacted : errc::unavailable;
    return error(code, located.error().message());
  }
  auto& where = located->locations;
  std::size_t keep = 1;
  std::uint64_t bytes = where.front().frame_bytes;
  while (keep < where.size() && bytes + where[keep].frame_bytes <= max_bytes)
    bytes += where[keep++].frame_bytes;
  where.resize(keep);
  return std::move(*located);
}

result<std::uint64_t> term_at(const raftlog::entry_index& index, const accepted_position& at,
                              std::uint64_t i) {
  const auto bounds = durable_bounds(index, at);
  if (i > bounds.last) return unavailable(i, bounds).with_context("term");
  if (i >= bounds.first) {
    auto located = index.locate(i, i + 1);
    if (located) return located->locations.front().term;
  }
  // The entry before the first retained one (etcd's dummy entry) or the snapshot's index.
  if (i == 0 && at.snapshot_index == 0) return std::uint64_t{0};
  if (i == at.snapshot_index || i + 1 == bounds.first)
    if (auto term = at.terms.term_at(i)) return *term;
  return compacted(i, bounds).with_context("term");
}

}  // namespace raftvault::actors
