// Helpers shared by the WAL tests (tests/raftlog/wal_*_test.cpp): the golden vectors'
// expected.json, the MANIFEST's entry data rules and call sequence, and a few small tools to
// copy and damage WAL directories.
#pragma once

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "codec/raft_types.h"
#include "codec/wal_record.h"
#include "raftlog/wal.h"
#include "raftlog/wal_format.h"
#include "support/json_lite.h"
#include "support/test_support.h"

namespace raftvault::testing {

inline const json::value& expected_json() {
  static const json::value parsed = json::parse(read_bytes(etcd_vectors("expected.json")));
  return parsed;
}

// The options the MANIFEST's call sequence was run with (64 KiB segments, etcd's cut lag).
inline raftlog::wal_options golden_options() {
  raftlog::wal_options options;
  options.segment_size = 65536;
  options.etcd_cut_lag = true;
  return options;
}

// expected.json's sha256 of each .wal file of `dataset`, in wal_digest's format.
inline std::string expected_wal_digest(const char* dataset) {
  std::string out;
  for (const auto& f : expected_json()["datasets"][dataset]["files"].as_array()) {
    const std::string& path = f["path"].as_string();
    if (path.size() < 4 || path.compare(path.size() - 4, 4, ".wal") != 0) continue;
    out += path.substr(path.find('/') + 1) + " " + f["sha256"].as_string() + "\n";
  }
  return out;
}

// What a crash leaves where a clean close records the log's end (raftlog/wal_end.h): nothing.
// Tests that stage a torn write on a WAL they closed call this first.
inline void forget_clean_close(const std::string& wal_dir) {
  std::filesystem::remove(wal_dir + "/" + raftlog::kEndFileName);
}

// Copies a vectors directory into `dest` (tests never write into shared/).
inline void copy_tree(const std::string& from, const std::string& dest) {
  std::filesystem::create_directories(dest);
  for (const auto& item : std::filesystem::directory_iterator(from))
    std::filesystem::copy_file(item.path(), dest + "/" + item.path().filename().string());
}

// The MANIFEST's plaintext data for an entry written with `term`.
inline entry golden_entry(std::uint64_t index, std::uint64_t term) {
  entry e;
  e.index = index;
  e.term = term;
  if (index >= 1 && index <= 3) {
    // gogo-marshalled raftpb.ConfChange{ID: i, Type: AddNode, NodeID: i, Context: "node-i"}.
    const std::string context = "node-" + std::to_string(index);
    e.type = entry_type::conf_change;
    const char i = static_cast<char>(index);
    e.data = std::string{'\x08', i, '\x10', '\x00', '\x18', i, '\x22',
                         static_cast<char>(context.size())} + context;
    return e;
  }
  if (index % 10 == 0) return e;
  const std::size_t length =
      (index == 55 || index == 114) ? 102400 : (index * 7919 % 3001) + 1;
  const std::string pattern = "entry-" + std::to_string(index) + "-t" + std::to_string(term) + ";";
  while (e.data.size() < length) e.data += pattern;
  e.data.resize(length);
  return e;
}

inline hard_state hard_state_of(const json::value& v) {
  return hard_state{v["term"].as_uint(), v["vote"].as_uint(), v["commit"].as_uint()};
}

// Replays expected.json's `ops` (the MANIFEST call sequence) into a new WAL at `dir`.
inline void replay_golden_ops(const std::string& dir, const raftlog::wal_options& options) {
  std::unique_ptr<raftlog::wal> log;
  for (const auto& op : expected_json()["ops"].as_array()) {
    const std::string& kind = op["op"].as_string();
    if (kind == "create") {
      auto created = raftlog::wal::create(dir, op["metadata"].as_string(), options);
      if (!created) throw std::runtime_error(created.error().describe());
      log = std::move(created).value();
    } else if (kind == "save") {
      hard_state hs;
      if (op.contains("hardstate")) hs = hard_state_of(op["hardstate"]);
      std::vector<entry> entries;
      if (op.contains("from")) {
        for (auto i = op["from"].as_uint(); i <= op["to"].as_uint(); ++i)
          entries.push_back(golden_entry(i, op["term"].as_uint()));
      }
      auto saved = log->save(hs, entries);
      if (!saved) throw std::runtime_error(saved.error().describe());
    } else if (kind == "snapshot") {
      auto saved = log->save_snapshot({op["index"].as_uint(), op["term"].as_uint()});
      if (!saved) throw std::runtime_error(saved.error().describe());
    } else if (kind == "close") {
      auto closed = log->close();
      if (!closed) throw std::runtime_error(closed.error().describe());
    }
  }
}

// sha256 of each .wal file: "name sha\n" lines (the lock file is not part of the format).
inline std::string wal_digest(const std::string& dir) {
  std::string out;
  for (const auto& name : list_files(dir))
    if (name.size() > 4 && name.compare(name.size() - 4, 4, ".wal") == 0)
      out += name + " " + sha256_hex(read_bytes(dir + "/" + name)) + "\n";
  return out;
}

inline void flip_byte(const std::string& path, std::uint64_t offset) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekg(static_cast<std::streamoff>(offset));
  char c = 0;
  f.read(&c, 1);
  c = static_cast<char>(c ^ 0x5a);
  f.seekp(static_cast<std::streamoff>(offset));
  f.write(&c, 1);
}

inline void zero_range(const std::string& path, std::uint64_t offset, std::uint64_t length) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekp(static_cast<std::streamoff>(offset));
  const std::string zeros(length, '\0');
  f.write(zeros.data(), static_cast<std::streamsize>(zeros.size()));
}

// Where each frame of a segment starts, up to its first zero length word (no CRC checks).
inline std::vector<std::uint64_t> frame_offsets(const std::string& path) {
  const std::string bytes = read_bytes(path);
  std::vector<std::uint64_t> offsets;
  std::uint64_t offset = 0;
  while (offset + codec::kLengthWordBytes <= bytes.size()) {
    std::uint64_t word = 0;
    for (int i = 7; i >= 0; --i) word = (word << 8) | static_cast<unsigned char>(bytes[offset + i]);
    if (word == 0) break;
    offsets.push_back(offset);
    offset += codec::decode_length_word(word).total();
  }
  return offsets;
}

inline void truncate_file(const std::string& path, std::uint64_t size) {
  std::filesystem::resize_file(path, size);
}

// Normal entries first..last of `size` bytes each (a letter derived from the index).
inline std::vector<entry> make_entries(std::uint64_t first, std::uint64_t last, std::uint64_t term,
                                       std::size_t size) {
  std::vector<entry> out;
  for (auto i = first; i <= last; ++i)
    out.push_back(entry{term, i, entry_type::normal, std::string(size, char('a' + i % 26))});
  return out;
}

// 8 KiB segments: a few entries of 1000 bytes fill one, so tests cross cuts cheaply.
inline raftlog::wal_options small_segment_options() {
  raftlog::wal_options options;
  options.segment_size = 8 * 1024;
  return options;
}

// A copy of the locations of [lo, hi) from the WAL's entry index (required to succeed).
inline raftlog::located_entries locate_entries(const raftlog::wal& log, std::uint64_t lo,
                                               std::uint64_t hi) {
  auto located = log.entries()->locate(lo, hi);
  REQUIRE(located);
  return std::move(located).value();
}

// A WAL in `dir` with 8 KiB segments holding entries 1..60 (1000 bytes each, saves of 4):
// several segments for release_to and cut tests.
inline std::unique_ptr<raftlog::wal> wal_with_small_segments(const std::string& dir) {
  auto created = raftlog::wal::create(dir, "meta", small_segment_options());
  REQUIRE(created);
  auto log = std::move(*created);
  for (std::uint64_t i = 1; i <= 60; i += 4)
    REQUIRE(log->save({1, 1, i + 3}, make_entries(i, i + 3, 1, 1000)));
  return log;
}

}  // namespace raftvault::testing
