// Where each retained entry of a WAL is: the segment, the byte offset of its frame, its term,
// and the running CRC before it (etcd chains one CRC-32C through every record, so a frame is
// checked on its own against the value the chain had before it). raftlog/entry_reader.h reads
// the frames back.
//
// "Retained" follows etcd's replay: the entries after the snapshot the WAL was opened at, a
// later record of an index replacing that entry and every later one, as long as a segment
// holds them. The wal keeps one index current through open, append, truncate and release.
//
// Visibility: an entry's location is handed out once an fdatasync covers it (wal::sync, or
// the sync of save), so a cut's new segment already has its final name. A replacement or a
// truncation hides the entries it drops at once.
//
// Thread safety: every member takes the index's mutex for a short copy, so a reader thread
// may call locate() while the WAL's thread appends, syncs or releases.
#pragma once

#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "codec/error_types.h"

namespace raftvault::raftlog {

struct entry_location {
  std::uint64_t segment_seq = 0;  // the sequence number in the segment's name
  std::uint64_t offset = 0;       // where the frame (its length word) starts in the segment
  std::uint64_t term = 0;
  std::uint32_t crc_before = 0;   // the running CRC before this record
  std::uint32_t frame_bytes = 0;  // length word + record + padding (< 10 MiB)

  friend bool operator==(const entry_location& a, const entry_location& b) {
    return a.segment_seq == b.segment_seq && a.offset == b.offset && a.term == b.term &&
           a.crc_before == b.crc_before && a.frame_bytes == b.frame_bytes;
  }
};

// A segment holding retained entries: enough to name its file (format_segment_name).
struct segment_ref {
  std::uint64_t sequence = 0;
  std::uint64_t first_index = 0;
};

// A copy of the locations of [first_index, first_index + locations.size()), with the segments
// they name.
struct located_entries {
  std::uint64_t first_index = 0;
  std::vector<entry_location> locations;
  std::vector<segment_ref> segments;
};

class entry_index {
 public:
  // What one retained entry costs in memory (plus the deque's block map: under 2% more).
  static constexpr std::size_t kBytesPerEntry = sizeof(entry_location);

  // Empty, holding entries after `base` (the snapshot index the WAL was opened at): an entry
  // at or below it is skipped, as etcd's replay skips it.
  void reset(std::uint64_t base);

  void add_segment(segment_ref segment);
  // Records an entry written at `where`: drops `index` and every later entry first (a later
  // record replaces), hides what it dropped. index must be <= last() + 1; skipped at or
  // below the base.
  void put(std::uint64_t index, const entry_location& where);
  // Drops `index` and every later entry (a truncation or a rollback).
  void drop_from(std::uint64_t index);
  // Drops every entry written at or after `offset` of segment `seq` or in a later segment
  // (a fail-stop rollback of the tail).
  void drop_written_after(std::uint64_t seq, std::uint64_t offset);
  // Forgets the segments before `seq` and the entries located in them (a release).
  void drop_segments_before(std::uint64_t seq);
  // Everything put so far is durable: it becomes visible.
  void publish();

  // The first and last visible index; last() < first() when none is.
  std::uint64_t first() const;
  std::uint64_t last() const;
  std::size_t size() const;  // entries held, visible or not
  std::size_t memory_bytes() const;

  // A copy of [lo, hi). errc::not_found when lo is below first() (compacted: released, or at
  // or below the snapshot opened at), errc::invalid_argument when hi - 1 is beyond last()
  // (unavailable) or hi < lo; the messages name the indexes.
  result<located_entries> locate(std::uint64_t lo, std::uint64_t hi) const;
  // One entry's location, visible or not yet (for the WAL's own use: truncate reads it back).
  std::optional<entry_location> find(std::uint64_t index) const;

 private:
  std::uint64_t first_locked() const { return base_ + 1 + dropped_front_; }
  std::uint64_t last_locked() const { return first_locked() + locations_.size() - 1; }

  mutable std::mutex mutex_;
  std::uint64_t base_ = 0;
  std::uint64_t dropped_front_ = 0;  // entries released from the front since reset
  std::deque<entry_location> locations_;  // of first_locked() ..
  std::uint64_t visible_last_ = 0;
  std::deque<segment_ref> segments_;  // oldest first
};

}  // namespace raftvault::raftlog
