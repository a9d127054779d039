#include "reliability/sweep_plan.h"

#include <algorithm>
#include <filesystem>
#include <functional>
#include <map>
#include <random>
#include <set>

#include "codec/raft_codec.h"
#include "codec/wal_record.h"
#include "fileio/file.h"
#include "raftlog/segment_name.h"
#include "raftlog/snap_file.h"
#include "raftlog/wal_decoder.h"
#include "raftlog/wal_format.h"

namespace raftvault::reliability {
namespace {

namespace fs = std::filesystem;

struct frame {
  std::uint64_t start = 0;        // the length word
  std::uint64_t header_end = 0;   // where the record's data field begins
  std::uint64_t record_end = 0;   // where the padding begins
  std::uint64_t end = 0;          // the next frame
  std::string what;               // "entry 21", "hard state commit 124", ...
};

std::string record_text(const codec::wal_record& r) {
  switch (static_cast<codec::record_type>(r.type)) {
    case codec::record_type::entry: {
      auto e = codec::decode_entry(r.data);
      return e ? "entry " + std::to_string(e->index) : "entry";
    }
    case codec::record_type::state: {
      auto s = codec::decode_hard_state(r.data);
      return s ? "hard state commit " + std::to_string(s->commit) : "hard state";
    }
    case codec::record_type::snapshot: {
      auto m = codec::decode_snapshot_marker(r.data);
      return m ? "snapshot marker " + std::to_string(m->index) : "snapshot marker";
    }
    case codec::record_type::metadata: return "metadata";
    case codec::record_type::crc: return "crc";
  }
  return "record";
}

// Where a truncation to `length` ends the segment, for the case's name.
std::string cut_text(const std::vector<frame>& frames, std::uint64_t length) {
  for (const frame& f : frames) {
    if (length == f.start) return "frame boundary, drops " + f.what + " and later";
    if (length < f.end) return "inside the frame of " + f.what;
  }
  return "after the last frame";
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// The frames of one (undamaged) segment, read on its own: each segment starts with a crc
// record that seeds the chain.
result<std::vector<frame>> frames_of(const std::string& path, const std::string& bytes) {
  raftlog::wal_decoder decoder({path});
  raftlog::decoded_record record;
  std::vector<frame> out;
  raftlog::decode_status status;
  while ((status = decoder.next(record)) == raftlog::decode_status::record) {
    std::uint64_t word = 0;
    for (int i = 7; i >= 0; --i)
      word = word << 8 | static_cast<unsigned char>(bytes[record.offset + static_cast<unsigned>(i)]);
    const auto size = codec::decode_length_word(word);
    frame f;
    f.start = record.offset;
    f.record_end = f.start + codec::kLengthWordBytes + size.record_bytes;
    f.header_end = f.record_end - record.record.data.size();
    f.end = decoder.last_valid_offset();
    f.what = record_text(record.record);
    out.push_back(f);
  }
  if (status != raftlog::decode_status::clean_end) return decoder.failure();
  return out;
}

class planner {
 public:
  planner(std::string file, std::uint64_t size, run_mode mode, std::uint64_t seed)
      : file_(std::move(file)), size_(size), long_(mode == run_mode::long_run),
        random_(seed ^ std::hash<std::string>{}(file_)) {}

  void flip_every_bit(std::uint64_t from, std::uint64_t to, const std::string& region) {
    for (std::uint64_t at = from; at < std::min(to, size_); ++at)
      for (int bit = 0; bit < 8; ++bit) flips_.push_back(flip(at, bit, region));
  }
  void flip_random(std::uint64_t from, std::uint64_t to, std::size_t count, const std::string& region) {
    if (to <= from) return;
    for (std::size_t i = 0; i < count; ++i)
      flips_.push_back(flip(from + random_() % (to - from), static_cast<int>(random_() % 8), region));
  }
  void cut_at(std::uint64_t length) {
    if (length < size_) cuts_.insert(length);
  }
  void cut_everywhere() { cut_densely_until(size_); }
  // Every length below `dense_end`; after it (a preallocated tail of zeros, where lengths
  // differ only in how many zeros remain) the lengths next to each 8-byte boundary.
  void cut_densely_until(std::uint64_t dense_end) {
    for (std::uint64_t length = 0; length < size_; ++length)
      if (length < dense_end || length % 8 <= 1 || length % 8 == 7) cuts_.insert(length);
  }
  void cut_random(std::size_t count) {
    for (std::size_t i = 0; size_ > 0 && i < count; ++i) cuts_.insert(random_() % size_);
  }
  void zero_sector(std::uint64_t at) {
    if (at < size_) sectors_.insert(at - at % raftlog::kSectorBytes);
  }
  void zero_every_sector() {
    for (std::uint64_t at = 0; at < size_; at += raftlog::kSectorBytes) sectors_.insert(at);
  }
  bool long_run() const { return long_; }
  std::uint64_t size() const { return size_; }
  std::mt19937_64& random() { return random_; }

  // `cut_region` names where a truncation length falls.
  void emit(const std::function<std::string(std::uint64_t)>& cut_region,
            std::vector<mutation_group>& out) {
    push(out, mutation_kind::flip_bit, std::move(flips_));
    std::vector<mutation> cuts;
    for (auto it = cuts_.rbegin(); it != cuts_.rend(); ++it) {
      cuts.push_back({mutation_kind::truncate, file_, *it, 0, {}, cut_region(*it)});
    }
    push(out, mutation_kind::truncate, std::move(cuts));
    std::vector<mutation> sectors;
    for (auto at : sectors_) sectors.push_back({mutation_kind::zero_sector, file_, at, 0, {}, {}});
    push(out, mutation_kind::zero_sector, std::move(sectors));
    std::vector<mutation> names{{mutation_kind::remove, file_, 0, 0, {}, {}},
                                {mutation_kind::rename, file_, 0, 0, file_ + ".renamed", {}}};
    if (auto wrong = plausible_wrong_name()) names.push_back({mutation_kind::rename, file_, 0, 0, *wrong, {}});
    push(out, mutation_kind::rename, std::move(names));
  }

 private:
  mutation flip(std::uint64_t at, int bit, const std::string& region) const {
    return {mutation_kind::flip_bit, file_, at, bit, {}, region};
  }
  void push(std::vector<mutation_group>& out, mutation_kind kind, std::vector<mutation> cases) {
    if (!cases.empty()) out.push_back({file_, kind, std::move(cases)});
  }
  // A name the readers accept, with the wrong index: the file seems to hold other records.
  std::optional<std::string> plausible_wrong_name() const {
    const fs::path path(file_);
    const std::string dir = path.parent_path().string() + "/";
    if (auto seg = raftlog::parse_segment_name(path.filename().string()))
      return dir + raftlog::format_segment_name(seg->sequence, seg->first_index + 1);
    if (auto snap = raftlog::parse_snap_file_name(path.filename().string()))
      return dir + raftlog::snap_file_name({snap->index + 1, snap->term});
    return std::nullopt;
  }

  std::string file_;
  std::uint64_t size_;
  bool long_;
  std::mt19937_64 random_;
  std::vector<mutation> flips_;
  std::set<std::uint64_t> cuts_;
  std::set<std::uint64_t> sectors_;
};

// The key file and .snap files: small, every byte matters.
void plan_small_file(planner& p, const std::string& region) {
  if (p.long_run()) {
    p.flip_every_bit(0, p.size(), region);
    p.cut_everywhere();
  } else {
    p.flip_every_bit(0, 48, region);
    p.flip_every_bit(p.size() - std::min<std::uint64_t>(p.size(), 48), p.size(), region);
    p.flip_random(0, p.size(), 256, region);
    for (std::uint64_t at = 0; at < p.size(); at += 61) p.cut_at(at);
    for (std::uint64_t back = 1; back <= 24; ++back) p.cut_at(p.size() - std::min(back, p.size()));
  }
  p.zero_every_sector();
}

// Cuts of a segment that is not the last: any of them is corruption by rule (damage in an
// earlier segment is never a torn tail), so after the lengths near every frame boundary a
// stride suffices; the last segment, where the torn-tail rules decide, gets every length.
void cut_earlier_segment(planner& p, const std::vector<frame>& frames) {
  for (const frame& f : frames) {
    for (std::uint64_t d = 0; d < 64; ++d) {
      p.cut_at(f.start + d);
      if (f.end > d) p.cut_at(f.end - 1 - d);
    }
  }
  for (std::uint64_t length = 0; length < p.size(); length += 13) p.cut_at(length);
}

void plan_segment(planner& p, const std::vector<frame>& frames, bool last) {
  const std::size_t n = frames.size();
  const std::uint64_t end_of_frames = n == 0 ? 0 : frames.back().end;
  for (std::size_t i = 0; i < n; ++i) {
    const frame& f = frames[i];
    const bool edge = i < 2 || i + 2 >= n;
    if (p.long_run() || edge) {
      p.flip_every_bit(f.start, f.start + codec::kLengthWordBytes, "length word of " + f.what);
      p.flip_every_bit(f.start + codec::kLengthWordBytes, f.header_end, "record header of " + f.what);
      p.flip_every_bit(f.record_end, f.end, "padding of " + f.what);
    }
    for (const std::int64_t delta : {0, 1, 4, 8, 9}) p.cut_at(f.start + static_cast<std::uint64_t>(delta));
    if (p.long_run() || edge) {
      p.zero_sector(f.start);
      p.zero_sector(f.end - 1);
    }
  }
  if (!p.long_run()) {
    for (std::size_t i = 0; n > 0 && i < 160; ++i) {
      const frame& f = frames[p.random()() % n];
      p.flip_random(f.start, f.header_end, 1, "frame header of " + f.what);
    }
  }
  const std::size_t sample = p.long_run() ? 1500 : 48;
  for (std::size_t i = 0; n > 0 && i < sample; ++i) {
    const frame& f = frames[p.random()() % n];
    p.flip_random(f.header_end, f.record_end, 1, "payload of " + f.what);
  }
  p.flip_random(end_of_frames, p.size(), p.long_run() ? 200 : 16, "zero tail");
  p.cut_at(end_of_frames);
  if (p.long_run()) {
    if (last) p.cut_densely_until(end_of_frames + 4096);
    else cut_earlier_segment(p, frames);
    p.zero_every_sector();
  } else {
    p.cut_random(48);
    for (std::uint64_t at = 0; at < 64; ++at) p.cut_at(at);
    for (int i = 0; i < 8; ++i) p.zero_sector(p.random()() % std::max<std::uint64_t>(p.size(), 1));
    p.zero_sector(end_of_frames);
  }
}

}  // namespace

result<std::vector<mutation_group>> plan_sweep(const std::string& store_dir, run_mode mode,
                                               std::uint64_t seed) {
  std::vector<std::string> files;
  for (const auto& item : fs::recursive_directory_iterator(store_dir))
    if (item.is_regular_file()) files.push_back(fs::relative(item.path(), store_dir).string());
  std::sort(files.begin(), files.end());
  std::map<std::string, std::string> last_segment;  // WAL directory -> its newest segment
  for (const auto& file : files)
    if (ends_with(file, ".wal")) last_segment[fs::path(file).parent_path().string()] = file;
  std::vector<mutation_group> out;
  for (const auto& file : files) {
    const std::string path = store_dir + "/" + file;
    RV_ASSIGN(const std::string bytes, fileio::read_file(path));
    planner p(file, bytes.size(), mode, seed);
    if (ends_with(file, ".wal")) {
      RV_ASSIGN(auto frames, frames_of(path, bytes));
      plan_segment(p, frames, file == last_segment[fs::path(file).parent_path().string()]);
      p.emit([&](std::uint64_t length) { return cut_text(frames, length); }, out);
    } else {
      plan_small_file(p, ends_with(file, ".snap") ? "snapshot" : ends_with(file, ".key") ? "key file" : "");
      p.emit([](std::uint64_t) { return std::string(); }, out);
    }
  }
  return out;
}

}  // namespace raftvault::reliability
