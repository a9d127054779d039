#include "raftlog/segment_name.h"

#include <fcntl.h>

#include "fileio/file.h"
#include "raftlog/hex_name.h"
#include "raftlog/wal_format.h"

namespace raftvault::raftlog {

std::string format_segment_name(std::uint64_t sequence, std::uint64_t first_index) {
  return format_hex_name(sequence, first_index, kSegmentSuffix);
}

std::optional<segment_info> parse_segment_name(const std::string& name) {
  auto parsed = parse_hex_name(name, kSegmentSuffix);
  if (!parsed) return std::nullopt;
  segment_info info;
  info.name = name;
  info.sequence = parsed->first;
  info.first_index = parsed->second;
  return info;
}

result<std::vector<segment_info>> read_segments(const std::string& dir) {
  RV_ASSIGN(auto names, fileio::list_dir(dir));
  std::vector<segment_info> segments;
  for (const auto& name : names) {
    auto info = parse_segment_name(name);
    if (!info) continue;
    RV_ASSIGN(auto f, fileio::file::open(dir + "/" + name, O_RDONLY));
    RV_ASSIGN(info->size_bytes, f.size());
    segments.push_back(std::move(*info));
  }
  return segments;
}

std::optional<std::size_t> search_segment(const std::vector<segment_info>& segments,
                                          std::uint64_t index) {
  for (std::size_t i = segments.size(); i-- > 0;)
    if (index >= segments[i].first_index) return i;
  return std::nullopt;
}

status check_sequence(const std::string& dir, const std::vector<segment_info>& segments,
                      std::size_t from) {
  for (std::size_t i = from + 1; i < segments.size(); ++i) {
    if (segments[i].sequence != segments[i - 1].sequence + 1) {
      return error(errc::corruption,
                   "WAL segment sequence gap in " + dir + ": " + segments[i].name +
                       " follows " + segments[i - 1].name + " (expected sequence " +
                       std::to_string(segments[i - 1].sequence + 1) + "; a segment is missing)");
    }
  }
  return {};
}

result<std::vector<segment_info>> select_segments(const std::string& dir, std::uint64_t index) {
  RV_ASSIGN(auto segments, read_segments(dir));
  if (segments.empty()) return error(errc::not_found, "no WAL segment (*.wal) in " + dir);
  auto first = search_segment(segments, index);
  if (!first) {
    return error(errc::not_found, "no WAL segment in " + dir + " starts at or before index " +
                                      std::to_string(index) + " (oldest is " +
                                      segments.front().name + ")");
  }
  RV_TRY(check_sequence(dir, segments, *first));
  segments.erase(segments.begin(), segments.begin() + static_cast<std::ptrdiff_t>(*first));
  return segments;
}

}  // namespace raftvault::raftlog
