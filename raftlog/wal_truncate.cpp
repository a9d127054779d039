// raftlog::wal::truncate: drops the entries from an index on by writing entry index - 1's
// record again (docs/wal-format.md, "Truncation").
// Happy path: the record is read back with the entry reader (its CRC checked against the
// chain before it), framed again with the running CRC and written after the last record; the
// next sync makes it durable. Failure modes: a refused index writes nothing; a failed read
// writes nothing; a failed write makes the WAL fail-stop, as any append.
#include <algorithm>

#include "raftlog/entry_reader.h"
#include "raftlog/wal_impl.h"

namespace raftvault::raftlog {

status wal::impl::check_truncate(std::uint64_t index) const {
  const std::string refused = "truncation of " + dir + " from index " + std::to_string(index) +
                              " refused (nothing written): ";
  if (index <= state.commit) {
    return error(errc::invalid_argument,
                 refused + "the last hard state commits index " + std::to_string(state.commit) +
                     ", and a committed entry is never removed");
  }
  if (index <= newest_snapshot) {
    return error(errc::invalid_argument, refused + "entries up to the snapshot at index " +
                                             std::to_string(newest_snapshot) + " are compacted");
  }
  if (index == newest_snapshot + 1) {
    return error(errc::invalid_argument,
                 refused + "it would drop every entry after the snapshot at index " +
                     std::to_string(newest_snapshot) + ", which no WAL record can do (a replay "
                     "from that snapshot skips entry " + std::to_string(newest_snapshot) +
                     "); append the entries that replace them from index " +
                     std::to_string(index) + " instead");
  }
  return {};
}

status wal::truncate(std::uint64_t index) {
  auto& w = *impl_;
  RV_TRY(w.check_writable());
  if (index > w.last_index) return {};
  RV_TRY(w.check_truncate(index));
  // The record to read back may sit in a cut's new segment: wait for its final name.
  RV_TRY(w.finish_cut());
  const std::uint64_t kept = index - 1;
  auto where = w.locations->find(kept);
  const auto segment = where ? std::find_if(w.segments.begin(), w.segments.end(),
                                            [&](const segment_info& s) {
                                              return s.sequence == where->segment_seq;
                                            })
                             : w.segments.end();
  if (segment == w.segments.end()) {
    return error(errc::not_found, "truncation of " + w.dir + " from index " +
                                      std::to_string(index) + ": entry " + std::to_string(kept) +
                                      " is not retained (nothing written)");
  }
  located_entries one{kept, {*where}, {{segment->sequence, segment->first_index}}};
  RV_ASSIGN(auto stored, entry_reader(w.dir).read(one));
  // The same bytes of entry data as before: a sealed payload stays bound to its index and term.
  w.encoder.add_entry(stored.front());
  RV_TRY(w.write_buffered());
  w.last_index = w.tail_last_entry = kept;
  // The entry keeps its first location (durable, same contents); what followed is gone.
  w.locations->drop_from(index);
  return w.cut_if_due();
}

}  // namespace raftvault::raftlog
