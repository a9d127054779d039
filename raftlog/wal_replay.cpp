#include "raftlog/wal_replay.h"

#include <algorithm>

#include "codec/raft_codec.h"
#include "raftlog/wal_end.h"

namespace raftvault::raftlog {
namespace {

using codec::record_type;

error at_record(errc code, const std::vector<std::string>& paths, const decoded_record& rec,
                const std::string& what) {
  return error(code, paths[rec.file] + " at byte offset " + std::to_string(rec.offset) + ": " +
                         what);
}

std::string marker_text(snapshot_marker m) {
  return "{index " + std::to_string(m.index) + ", term " + std::to_string(m.term) + "}";
}

// A hard state's commit says every entry up to it was durable here (raft saves entries before
// the state that commits them). A log that ends below it lost committed entries: a torn-tail
// repair must not drop them, and a log read to its clean end must not silently miss them.
// A log closed cleanly must still reach where it was closed (raftlog/wal_end.h).
status check_recorded_end(const std::string& dir, const std::vector<segment_info>& segments,
                          const wal_decoder& decoder, const replay_result& out) {
  RV_ASSIGN(auto recorded, read_wal_end(dir));
  if (!recorded || segments.empty()) return {};
  const replayed_end found{segments.back(), decoder.last_valid_offset(), decoder.crc(),
                           out.tail_last_entry};
  status reached = check_reaches_end(dir, *recorded, found);
  if (reached || !out.torn) return reached;
  return error(errc::corruption, decoder.failure().message() + "; that is damage, not a torn "
                                     "write: " + closed_end_text(dir, *recorded));
}

status check_commit_kept(const replay_result& out, snapshot_marker at, const wal_decoder& decoder) {
  const std::uint64_t kept = std::max(at.index, out.last_index);
  const std::uint64_t commit = out.contents.state.commit;
  if (commit <= kept) return {};
  const std::string lost = "committed entries " + std::to_string(kept + 1) + ".." +
                           std::to_string(commit) + " are missing: the last hard state records "
                           "commit " + std::to_string(commit) + " but the log ends at index " +
                           std::to_string(kept);
  if (out.torn) {
    return error(errc::corruption, decoder.failure().message() + "; repairing it as a torn tail "
                                   "would drop " + lost);
  }
  return error(errc::corruption, decoder.path() + ": " + lost +
                                     " (a segment after this one may be missing)");
}

}  // namespace

result<replay_result> replay(const std::string& dir, const std::vector<segment_info>& segments,
                             snapshot_marker at, replay_mode mode) {
  std::vector<std::string> paths;
  paths.reserve(segments.size());
  for (const auto& s : segments) paths.push_back(dir + "/" + s.name);
  wal_decoder decoder(paths);

  replay_result out;
  bool have_metadata = false;
  bool snapshot_found = false;
  decoded_record rec;
  auto& entries = out.contents.entries;
  decode_status status;
  std::uint32_t crc_before = decoder.crc();
  for (; (status = decoder.next(rec)) == decode_status::record; crc_before = decoder.crc()) {
    switch (static_cast<record_type>(rec.record.type)) {
      case record_type::entry: {
        if (mode != replay_mode::read_all) {
          // Only the last segment's entries, for its recorded end: a light parse.
          if (rec.file + 1 != paths.size()) break;
          auto index = codec::decode_entry_index(rec.record.data);
          if (!index) return at_record(errc::corruption, paths, rec, index.error().message());
          out.tail_last_entry = *index;
          break;
        }
        auto decoded = codec::decode_entry(rec.record.data);
        if (!decoded) return at_record(errc::corruption, paths, rec, decoded.error().message());
        entry& e = decoded.value();
        if (e.index > at.index) {
          // A rewritten index replaces the earlier write and everything after it.
          const std::uint64_t position = e.index - at.index - 1;
          if (position > entries.size()) {
            return at_record(errc::corruption, paths, rec,
                             "index gap: entry " + std::to_string(e.index) + " follows entry " +
                                 std::to_string(at.index + entries.size()));
          }
          entries.erase(entries.begin() + static_cast<std::ptrdiff_t>(position), entries.end());
          out.locations.resize(entries.size());
          out.locations.push_back(
              {segments[rec.file].sequence, rec.offset, e.term, crc_before,
               static_cast<std::uint32_t>(decoder.last_valid_offset() - rec.offset)});
          entries.push_back(std::move(e));
        }
        out.last_index = decoded->index;
        if (rec.file + 1 == paths.size()) out.tail_last_entry = decoded->index;
        out.highest_index = std::max(out.highest_index, decoded->index);
        break;
      }
      case record_type::state: {
        if (mode == replay_mode::verify) break;
        auto state = codec::decode_hard_state(rec.record.data);
        if (!state) return at_record(errc::corruption, paths, rec, state.error().message());
        out.contents.state = *state;
        out.max_commit = std::max(out.max_commit, state->commit);
        break;
      }
      case record_type::metadata: {
        if (mode == replay_mode::snapshots) break;
        if (have_metadata && out.contents.metadata != rec.record.data) {
          return at_record(errc::corruption, paths, rec,
                           "metadata conflict: this metadata record differs from the first one");
        }
        out.contents.metadata.assign(rec.record.data);
        have_metadata = true;
        break;
      }
      case record_type::snapshot: {
        auto marker = codec::decode_snapshot_marker(rec.record.data);
        if (!marker) return at_record(errc::corruption, paths, rec, marker.error().message());
        if (mode == replay_mode::snapshots) {
          out.snapshots.push_back(*marker);
        } else if (marker->index == at.index) {
          if (marker->term != at.term) {
            return at_record(errc::corruption, paths, rec,
                             "snapshot mismatch: the WAL records " + marker_text(*marker) +
                                 ", the caller asked for " + marker_text(at));
          }
          snapshot_found = true;
        }
        break;
      }
      case record_type::crc:
        break;
    }
  }

  if (status == decode_status::corruption || status == decode_status::io_error)
    return decoder.failure();
  out.torn = status == decode_status::torn_tail;
  RV_TRY(check_recorded_end(dir, segments, decoder, out));
  if (mode == replay_mode::read_all) RV_TRY(check_commit_kept(out, at, decoder));
  out.crc = decoder.crc();
  out.end_offset = decoder.last_valid_offset();
  out.garbage_after_end = !out.torn && decoder.garbage_after_end();
  if (mode != replay_mode::snapshots && !snapshot_found) {
    return error(errc::not_found, "snapshot record " + marker_text(at) + " not found in WAL " +
                                      dir + " (read " + std::to_string(segments.size()) +
                                      " segments from " +
                                      (segments.empty() ? "-" : segments.front().name) + ")");
  }
  return out;
}

}  // namespace raftvault::raftlog
