// Behind the CRC: random bytes almost never carry a valid CRC-32C chain, so this target builds
// segments from fuzz-chosen records with the real writer (raftlog/wal_encoder, codec's frame
// encoder for records whose data is arbitrary bytes), damages them the way a crash does, and
// reads them back through the real decoder and replay.
// Properties:
//   undamaged      every record comes back exactly (type, crc, data, offset), then a clean end;
//   truncated      exactly the frames wholly before the cut come back, then a clean end when
//                  the cut is on a frame boundary and a torn tail otherwise;
//   zeroed range   the records returned are a prefix of those written, at least every frame
//                  that ends before the zeros.
#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "codec/crc32c.h"
#include "codec/raft_codec.h"
#include "codec/wal_record.h"
#include "fuzz/fuzz_support.h"
#include "raftlog/wal_decoder.h"
#include "raftlog/wal_encoder.h"
#include "raftlog/wal_replay.h"
#include "support/test_support.h"

using namespace raftvault;
using namespace raftvault::raftlog;
using codec::record_type;

namespace {

constexpr std::size_t kMaxRecords = 48;
constexpr std::size_t kMaxData = 2048;
const char* const kSegment = "0000000000000000-0000000000000000.wal";

struct written_record {
  std::int64_t type;
  std::uint32_t crc;
  std::string data;
  bool has_data;
  std::uint64_t offset;  // frame start
  std::uint64_t end;     // frame end (padding included)
};

// Small numbers most of the time (so replay finds its snapshot and consecutive indexes), any
// 64-bit value sometimes (varint edges).
std::uint64_t number(FuzzedDataProvider& in) {
  return in.ConsumeBool() ? in.ConsumeIntegral<std::uint64_t>()
                          : in.ConsumeIntegralInRange<std::uint64_t>(0, 40);
}

class segment_builder {
 public:
  // A record through the real writer; `expected_data` is what the record's data must be.
  // One encoder for a run of typed records (its buffer is large: one per record would make
  // allocation the fuzzer's bottleneck); a raw frame in between starts a new one.
  template <class Add>
  void typed(std::int64_t type, std::string expected_data, bool has_data, Add add) {
    if (!encoder_ || encoder_->crc() != crc_) {
      encoder_.emplace(crc_);
      taken_ = 0;
    }
    add(*encoder_);
    const std::uint64_t offset = bytes_.size();
    bytes_.append(encoder_->bytes().substr(taken_));
    taken_ = encoder_->size();
    crc_ = encoder_->crc();
    records_.push_back({type, crc_, std::move(expected_data), has_data, offset, bytes_.size()});
  }

  // A frame whose data is arbitrary bytes (not necessarily a valid message for its type).
  // Not a crc record: the CRC does not cover a crc record's data (etcd writes none), so
  // damage to it would go unseen; fuzz_wal_frames feeds the decoder such records.
  void raw(std::int64_t type, std::string data) {
    crc_ = codec::crc32c_update(crc_, data);
    const std::uint64_t offset = bytes_.size();
    codec::append_frame(static_cast<record_type>(type), crc_, data, true, bytes_);
    records_.push_back({type, crc_, std::move(data), true, offset, bytes_.size()});
  }

  std::string& bytes() { return bytes_; }
  const std::vector<written_record>& records() const { return records_; }

 private:
  std::string bytes_;
  std::uint32_t crc_ = 0;
  std::vector<written_record> records_;
  std::optional<wal_encoder> encoder_;
  std::size_t taken_ = 0;  // bytes of encoder_ already in bytes_
};

void add_record(FuzzedDataProvider& in, segment_builder& segment) {
  switch (in.ConsumeIntegralInRange(0, 5)) {
    case 0: {
      entry e{number(in), number(in),
              static_cast<entry_type>(in.ConsumeIntegralInRange<std::uint32_t>(0, 2)),
              in.ConsumeRandomLengthString(kMaxData)};
      const bool combined = in.ConsumeBool();
      segment.typed(static_cast<std::int64_t>(record_type::entry), codec::encode_entry(e), true,
                    [&](wal_encoder& encoder) {
                      if (combined)
                        encoder.add_entry(e, e.data, codec::crc32c_update(0, e.data));
                      else
                        encoder.add_entry(e);
                    });
      break;
    }
    case 1: {
      const hard_state state{number(in), number(in), number(in)};
      segment.typed(static_cast<std::int64_t>(record_type::state),
                    codec::encode_hard_state(state), true,
                    [&](wal_encoder& encoder) { encoder.add_state(state); });
      break;
    }
    case 2: {
      const std::string metadata = in.ConsumeRandomLengthString(64);
      segment.typed(static_cast<std::int64_t>(record_type::metadata), metadata,
                    !metadata.empty(),
                    [&](wal_encoder& encoder) { encoder.add_metadata(metadata); });
      break;
    }
    case 3: {
      const snapshot_marker marker{number(in), number(in)};
      segment.typed(static_cast<std::int64_t>(record_type::snapshot),
                    codec::encode_snapshot_marker(marker), true,
                    [&](wal_encoder& encoder) { encoder.add_snapshot(marker); });
      break;
    }
    case 4:
      segment.typed(static_cast<std::int64_t>(record_type::crc), {}, false,
                    [](wal_encoder& encoder) { encoder.add_crc(); });
      break;
    default: {
      constexpr record_type kDataTypes[] = {record_type::metadata, record_type::entry,
                                            record_type::state, record_type::snapshot};
      segment.raw(static_cast<std::int64_t>(in.PickValueInArray(kDataTypes)),
                  in.ConsumeRandomLengthString(kMaxData));
      break;
    }
  }
}

enum class damage { none, truncate, zero_range };

struct walk_result {
  decode_status status;
  std::vector<decoded_record> records;
  std::vector<std::string> data;  // copies: a record's data view dies with the next call
};

walk_result walk(const std::string& path) {
  wal_decoder decoder({path});
  walk_result out;
  decoded_record rec;
  while ((out.status = decoder.next(rec)) == decode_status::record) {
    out.records.push_back(rec);
    out.data.emplace_back(rec.record.data);
  }
  return out;
}

bool same(const walk_result& got, std::size_t i, const written_record& want) {
  const auto& rec = got.records[i].record;
  return rec.type == want.type && rec.crc == want.crc && got.data[i] == want.data &&
         rec.has_data == want.has_data && got.records[i].offset == want.offset;
}

std::string describe(const walk_result& got, std::size_t i) {
  const auto& rec = got.records[i];
  return "type " + std::to_string(rec.record.type) + " crc " + std::to_string(rec.record.crc) +
         " at " + std::to_string(rec.offset) + " (" + std::to_string(got.data[i].size()) +
         " data bytes)";
}

// How many written records end at or before `offset`.
std::size_t frames_before(const std::vector<written_record>& records, std::uint64_t offset) {
  return static_cast<std::size_t>(
      std::count_if(records.begin(), records.end(),
                    [&](const written_record& r) { return r.end <= offset; }));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string path = fuzz::scratch_dir() + "/" + kSegment;
  FuzzedDataProvider in(data, size);
  segment_builder segment;
  const auto count = in.ConsumeIntegralInRange<std::size_t>(0, kMaxRecords);
  for (std::size_t i = 0; i < count && in.remaining_bytes() > 0; ++i) add_record(in, segment);
  const auto& written = segment.records();
  std::string& bytes = segment.bytes();
  const std::uint64_t frames_end = bytes.size();

  const auto kind = static_cast<damage>(in.ConsumeIntegralInRange(0, 2));
  const auto at = in.ConsumeIntegralInRange<std::uint64_t>(0, frames_end);
  const auto zeros = in.ConsumeIntegralInRange<std::uint64_t>(0, 4096);
  switch (kind) {
    case damage::none:
      // Preallocated space after the last record: whole frames' worth (less than a length
      // word of zeros is a torn write, as etcd reads it).
      bytes.append(zeros / codec::kFrameAlignment * codec::kFrameAlignment, '\0');
      break;
    case damage::truncate:
      bytes.resize(at);
      break;
    case damage::zero_range:
      std::fill(bytes.begin() + static_cast<std::ptrdiff_t>(at),
                bytes.begin() + static_cast<std::ptrdiff_t>(std::min(at + zeros, frames_end)),
                '\0');
      break;
  }
  testing::write_bytes(path, bytes);

  const walk_result got = walk(path);
  FUZZ_CHECK(got.records.size() <= written.size(), "more records than were written");
  for (std::size_t i = 0; i < got.records.size(); ++i)
    FUZZ_CHECK(same(got, i, written[i]), "record " + std::to_string(i) + " differs: " +
                                             describe(got, i) + " read, type " +
                                             std::to_string(written[i].type) + " crc " +
                                             std::to_string(written[i].crc) + " at " +
                                             std::to_string(written[i].offset) + " written");
  switch (kind) {
    case damage::none:
      FUZZ_CHECK(got.status == decode_status::clean_end && got.records.size() == written.size(),
                 "an undamaged segment does not read back whole");
      break;
    case damage::truncate: {
      const std::size_t whole = frames_before(written, at);
      const bool on_boundary = at == 0 || (whole > 0 && written[whole - 1].end == at);
      FUZZ_CHECK(got.records.size() == whole,
                 "a cut at byte " + std::to_string(at) + " returned " +
                     std::to_string(got.records.size()) + " records, " + std::to_string(whole) +
                     " frames lie before it");
      FUZZ_CHECK(got.status == (on_boundary ? decode_status::clean_end : decode_status::torn_tail),
                 "a cut at byte " + std::to_string(at) + " is not reported as " +
                     (on_boundary ? "a clean end" : "a torn tail"));
      break;
    }
    case damage::zero_range:
      FUZZ_CHECK(got.records.size() >= frames_before(written, at),
                 "zeros at byte " + std::to_string(at) + " hide records written before them");
      FUZZ_CHECK(got.status != decode_status::io_error, "io error");
      break;
  }

  // etcd's replay rules on the same segment, from the first snapshot recorded (if any).
  snapshot_marker from{0, 0};
  for (const auto& rec : written) {
    if (rec.type != static_cast<std::int64_t>(record_type::snapshot)) continue;
    if (auto marker = codec::decode_snapshot_marker(rec.data)) from = *marker;
    break;
  }
  const std::vector<segment_info> segments{{kSegment, 0, 0, bytes.size()}};
  for (auto mode : {replay_mode::read_all, replay_mode::verify, replay_mode::snapshots}) {
    auto replayed = replay(fuzz::scratch_dir(), segments, from, mode);
    if (replayed) {
      FUZZ_CHECK(replayed->torn == (got.status == decode_status::torn_tail),
                 "replay and decoder disagree on a torn tail");
    }
  }
  return 0;
}
