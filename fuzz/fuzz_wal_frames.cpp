// WAL segment bytes as found on disk, through the real read path: the frame decoder
// (raftlog/wal_decoder) and etcd's replay rules on top of it (raftlog/wal_replay) in all three
// modes. The input is one segment file; it is read once as the last segment (where damage may
// be a torn tail) and once followed by a valid segment (where every damage is corruption).
// Properties: every walk ends in one outcome whose offsets lie inside the file, a torn tail is
// only ever reported in the last segment, and replay agrees with the decoder on how it ended.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "codec/crc32c.h"
#include "codec/raft_codec.h"
#include "codec/wal_record.h"
#include "fuzz/fuzz_support.h"
#include "raftlog/wal_decoder.h"
#include "raftlog/wal_replay.h"
#include "support/test_support.h"

using namespace raftvault;
using namespace raftvault::raftlog;

namespace {

const char* const kFirst = "0000000000000000-0000000000000000.wal";
const char* const kSecond = "0000000000000001-0000000000000000.wal";

// A short valid segment continuing the CRC chain `crc`: a crc record, metadata and an entry.
constexpr std::size_t kValidSegmentRecords = 3;
std::string valid_segment(std::uint32_t crc) {
  using codec::record_type;
  std::string out;
  codec::append_frame(record_type::crc, crc, {}, false, out);
  const std::string metadata = "fuzz";
  crc = codec::crc32c_update(crc, metadata);
  codec::append_frame(record_type::metadata, crc, metadata, true, out);
  const std::string entry = codec::encode_entry({1, 1, entry_type::normal, "x"});
  crc = codec::crc32c_update(crc, entry);
  codec::append_frame(record_type::entry, crc, entry, true, out);
  return out;
}

struct walk_end {
  decode_status status;
  std::size_t records = 0;
  std::size_t in_first_file = 0;  // records read from paths[0]
  std::uint32_t crc = 0;
  std::string failure;  // the decoder's error after a torn tail or corruption
};

walk_end walk(const std::vector<std::string>& paths, const std::vector<std::uint64_t>& sizes) {
  wal_decoder decoder(paths);
  decoded_record rec;
  walk_end end{decode_status::record, 0, 0, 0, {}};
  std::uint64_t last_end = 0;
  std::size_t last_file = 0;
  while ((end.status = decoder.next(rec)) == decode_status::record) {
    ++end.records;
    if (rec.file == 0) ++end.in_first_file;
    FUZZ_CHECK(rec.file < paths.size(), "record in file " + std::to_string(rec.file));
    FUZZ_CHECK(rec.record.type >= 1 && rec.record.type <= 5,
               "record of type " + std::to_string(rec.record.type) + " returned");
    FUZZ_CHECK(rec.file > last_file || rec.offset >= last_end || end.records == 1,
               "frames overlap at offset " + std::to_string(rec.offset));
    FUZZ_CHECK(decoder.last_valid_offset() <= sizes[rec.file], "valid end past the file end");
    last_end = decoder.last_valid_offset();
    last_file = rec.file;
  }
  FUZZ_CHECK(decoder.last_valid_offset() <= decoder.file_size(), "valid end past the file end");
  if (end.status == decode_status::torn_tail) {
    FUZZ_CHECK(decoder.file() + 1 == paths.size(), "torn tail reported in a non-last segment");
    FUZZ_CHECK(decoder.failure().code() == errc::torn_tail, "torn tail with another error code");
  }
  if (end.status == decode_status::corruption) {
    FUZZ_CHECK(decoder.failure().code() == errc::corruption, "corruption with another code");
    FUZZ_CHECK(decoder.failure().message().find("byte offset") != std::string::npos,
               "corruption without an offset: " + decoder.failure().message());
  }
  FUZZ_CHECK(end.status != decode_status::io_error, "io error: " + decoder.failure().describe());
  if (end.status == decode_status::clean_end) (void)decoder.garbage_after_end();
  end.crc = decoder.crc();
  if (end.status == decode_status::torn_tail || end.status == decode_status::corruption)
    end.failure = decoder.failure().describe();
  else
    end.failure = end.status == decode_status::clean_end ? "a clean end" : "a record";
  return end;
}

void replay_all_modes(const std::string& dir, const std::vector<segment_info>& segments,
                      const walk_end& end) {
  for (auto mode : {replay_mode::read_all, replay_mode::verify, replay_mode::snapshots}) {
    auto replayed = replay(dir, segments, snapshot_marker{0, 0}, mode);
    if (end.status == decode_status::corruption) {
      FUZZ_CHECK(!replayed, "replay accepted segments the decoder calls corrupt");
    }
    if (replayed) FUZZ_CHECK(replayed->torn == (end.status == decode_status::torn_tail),
                             "replay and decoder disagree on a torn tail");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string dir = fuzz::scratch_dir();
  const std::string input(reinterpret_cast<const char*>(data), size);
  testing::write_bytes(dir + "/" + kFirst, input);

  const std::vector<segment_info> alone{{kFirst, 0, 0, size}};
  const walk_end last = walk({dir + "/" + kFirst}, {size});
  replay_all_modes(dir, alone, last);

  // The same bytes followed by a segment that continues their CRC chain: the walk must read
  // the same frames from them, never call damage in them a torn tail (checked in walk), and
  // after a clean end lead on into the next segment. Damage is corruption there, except a zero
  // length word: it ends a segment that is not the last (etcd's rule; what it hides shows in
  // the next segment's crc record, which here continues the chain before it).
  const std::string second = valid_segment(last.crc);
  testing::write_bytes(dir + "/" + kSecond, second);
  const std::vector<segment_info> both{{kFirst, 0, 0, size}, {kSecond, 1, 0, second.size()}};
  const walk_end first = walk({dir + "/" + kFirst, dir + "/" + kSecond}, {size, second.size()});
  replay_all_modes(dir, both, first);
  FUZZ_CHECK(first.in_first_file == last.records,
             "the first of two segments reads " + std::to_string(first.in_first_file) +
                 " records, alone " + std::to_string(last.records) + " then " + last.failure);
  const bool led_on = first.status == decode_status::clean_end &&
                      first.records == last.records + kValidSegmentRecords;
  if (last.status == decode_status::clean_end) {
    FUZZ_CHECK(led_on, "a cleanly ending segment does not lead into the next one");
  } else {
    FUZZ_CHECK(first.status == decode_status::corruption || led_on,
               "damage in a non-last segment is neither corruption nor its end: alone " +
                   std::to_string(last.records) + " records then " + last.failure +
                   "; followed by a segment " + std::to_string(first.records) +
                   " records then " + first.failure);
  }
  return 0;
}
