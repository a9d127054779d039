#include "raftlog/entry_index.h"

#include <algorithm>

namespace raftvault::raftlog {

void entry_index::reset(std::uint64_t base) {
  std::lock_guard<std::mutex> lock(mutex_);
  base_ = base;
  dropped_front_ = 0;
  locations_.clear();
  visible_last_ = base;
  segments_.clear();
}

void entry_index::add_segment(segment_ref segment) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (segments_.empty() || segments_.back().sequence < segment.sequence)
    segments_.push_back(segment);
}

void entry_index::put(std::uint64_t index, const entry_location& where) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (index <= base_) return;
  if (index < first_locked()) {
    // Below the released front: this record starts the retained entries again.
    locations_.clear();
    dropped_front_ = index - base_ - 1;
  } else if (index <= last_locked()) {
    locations_.resize(static_cast<std::size_t>(index - first_locked()));
  }
  if (index != last_locked() + 1) return;  // a gap: wal::append refuses it before writing
  visible_last_ = std::min(visible_last_, index - 1);
  locations_.push_back(where);
}

void entry_index::drop_from(std::uint64_t index) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (index <= first_locked()) {
    locations_.clear();
  } else if (index <= last_locked()) {
    locations_.resize(static_cast<std::size_t>(index - first_locked()));
  }
  visible_last_ = std::min(visible_last_, last_locked());
}

void entry_index::drop_written_after(std::uint64_t seq, std::uint64_t offset) {
  std::lock_guard<std::mutex> lock(mutex_);
  while (!locations_.empty() &&
         (locations_.back().segment_seq > seq ||
          (locations_.back().segment_seq == seq && locations_.back().offset >= offset)))
    locations_.pop_back();
  visible_last_ = std::min(visible_last_, last_locked());
}

void entry_index::drop_segments_before(std::uint64_t seq) {
  std::lock_guard<std::mutex> lock(mutex_);
  while (!locations_.empty() && locations_.front().segment_seq < seq) {
    locations_.pop_front();
    ++dropped_front_;
  }
  while (!segments_.empty() && segments_.front().sequence < seq) segments_.pop_front();
  visible_last_ = std::max(visible_last_, first_locked() - 1);
}

void entry_index::publish() {
  std::lock_guard<std::mutex> lock(mutex_);
  visible_last_ = last_locked();
}

std::uint64_t entry_index::first() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return first_locked();
}

std::uint64_t entry_index::last() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return std::min(visible_last_, last_locked());
}

std::size_t entry_index::size() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return locations_.size();
}

std::size_t entry_index::memory_bytes() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return locations_.size() * kBytesPerEntry + segments_.size() * sizeof(segment_ref);
}

result<located_entries> entry_index::locate(std::uint64_t lo, std::uint64_t hi) const {
  std::lock_guard<std::mutex> lock(mutex_);
  const std::uint64_t first = first_locked();
  const std::uint64_t last = std::min(visible_last_, last_locked());
  if (hi < lo) {
    return error(errc::invalid_argument, "entries [" + std::to_string(lo) + ", " +
                                             std::to_string(hi) + ") is not a range");
  }
  if (lo < first) {
    return error(errc::not_found, "entry " + std::to_string(lo) + " is compacted: the first "
                                  "retained entry is " + std::to_string(first));
  }
  if (hi > last + 1) {
    return error(errc::invalid_argument, "entry " + std::to_string(hi - 1) + " is unavailable: "
                                         "the last entry is " + std::to_string(last));
  }
  located_entries out;
  out.first_index = lo;
  const auto begin = locations_.begin() + static_cast<std::ptrdiff_t>(lo - first);
  out.locations.assign(begin, begin + static_cast<std::ptrdiff_t>(hi - lo));
  if (out.locations.empty()) return out;
  // Locations follow the log's order, so the segments they name form one run.
  const std::uint64_t oldest = out.locations.front().segment_seq;
  const std::uint64_t newest = out.locations.back().segment_seq;
  for (const segment_ref& s : segments_)
    if (s.sequence >= oldest && s.sequence <= newest) out.segments.push_back(s);
  return out;
}

std::optional<entry_location> entry_index::find(std::uint64_t index) const {
  std::lock_guard<std::mutex> lock(mutex_);
  if (index < first_locked() || index > last_locked()) return std::nullopt;
  return locations_[static_cast<std::size_t>(index - first_locked())];
}

}  // namespace raftvault::raftlog
