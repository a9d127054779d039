// Test helpers for the encrypted log tests: keys held like keys/ holds them (an owner that
// keeps the bytes alive), codecs, entry generators, and a segment rewriter that re-chains
// WAL CRCs after a test has edited records on disk.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <filesystem>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <memory>
#include <string>
#include <vector>

#include "codec/cipher.h"
#include "codec/crc32c.h"
#include "codec/raft_codec.h"
#include "codec/wal_record.h"
#include "fileio/crash_point.h"
#include "raftlog/payload_codec.h"
#include "raftlog/wal.h"
#include "raftlog/wal_format.h"
#include "support/test_support.h"

namespace raftvault::testing {

// Small segments keep tests fast: every WAL create preallocates a segment and a spare.
inline raftlog::wal_options small_wal() {
  raftlog::wal_options o;
  o.segment_size = 256 * 1024;
  return o;
}

// A DEK whose bytes live as long as any codec holding it.
inline raftlog::held_key make_key(std::uint32_t generation, unsigned char seed) {
  auto bytes = std::make_shared<std::array<unsigned char, codec::kKeyBytes>>();
  for (std::size_t i = 0; i < bytes->size(); ++i) (*bytes)[i] = static_cast<unsigned char>(seed + i);
  return raftlog::held_key{codec::key_ref{generation, bytes->data()}, bytes};
}

// The MANIFEST's secretbox key: bytes 0x00..0x1f (generation 0: secretbox records carry no id).
inline raftlog::held_key vector_key() { return make_key(0, 0x00); }

inline std::shared_ptr<const raftlog::payload_codec> codec_with(codec::cipher c,
                                                                raftlog::held_key sealing,
                                                                std::vector<raftlog::held_key> opening) {
  auto made = raftlog::payload_codec::make(c, sealing, std::move(opening));
  if (!made) throw std::runtime_error(made.error().describe());
  return made.value();
}

inline std::shared_ptr<const raftlog::payload_codec> single_key_codec(codec::cipher c,
                                                                      raftlog::held_key key) {
  return codec_with(c, key, {key});
}

// Entries [first, last] in `term`, data "payload-<index>-<term>" repeated to 100 + index bytes
// (index % 5 == 0 has empty data, as raft's empty entries).
inline std::vector<entry> make_entries(std::uint64_t first, std::uint64_t last, std::uint64_t term) {
  std::vector<entry> out;
  for (std::uint64_t i = first; i <= last; ++i) {
    entry e;
    e.index = i;
    e.term = term;
    if (i % 5 != 0) {
      const std::string unit = "payload-" + std::to_string(i) + "-" + std::to_string(term) + ";";
      while (e.data.size() < 100 + i) e.data += unit;
      e.data.resize(100 + i);
    }
    out.push_back(std::move(e));
  }
  return out;
}

// One decoded frame of a segment, editable.
struct segment_frame {
  std::int64_t type = 0;
  std::uint32_t crc = 0;
  std::string data;
  bool has_data = false;
};

// Reads a segment's frames up to the zero tail (no CRC checks: tests edit them).
inline std::vector<segment_frame> read_segment_frames(const std::string& path) {
  const std::string bytes = read_bytes(path);
  std::vector<segment_frame> frames;
  std::size_t offset = 0;
  while (offset + codec::kLengthWordBytes <= bytes.size()) {
    std::uint64_t word = 0;
    for (int i = 7; i >= 0; --i) word = (word << 8) | static_cast<unsigned char>(bytes[offset + i]);
    if (word == 0) break;
    const codec::frame_size size = codec::decode_length_word(word);
    auto record = codec::decode_record(
        std::string_view(bytes).substr(offset + codec::kLengthWordBytes, size.record_bytes));
    if (!record) throw std::runtime_error(record.error().describe());
    frames.push_back(segment_frame{record->type, record->crc, std::string(record->data),
                                   record->has_data});
    offset += size.total();
  }
  return frames;
}

// Rewrites a segment from frames, recomputing the chained CRCs from `seed` (the crc record's
// value at the segment start, 0 for the first segment): exactly what an attacker with write
// access to the disk can do, since the CRC is not a MAC. Returns the running CRC at the end.
inline std::uint32_t write_segment_frames(const std::string& path, std::vector<segment_frame> frames,
                                          std::uint32_t seed) {
  std::string out;
  std::uint32_t running = seed;
  for (auto& f : frames) {
    if (f.type == static_cast<std::int64_t>(codec::record_type::crc)) {
      f.crc = running;
    } else {
      running = codec::crc32c_update(running, f.data);
      f.crc = running;
    }
    codec::append_frame(static_cast<codec::record_type>(f.type), f.crc, f.data, f.has_data, out);
  }
  const std::string old = read_bytes(path);
  if (out.size() < old.size()) out.resize(old.size(), '\0');  // keep the preallocated zero tail
  write_bytes(path, out);
  return running;
}

// Applies `edit` to every segment of a WAL directory (in name order) and rewrites them all with
// a re-chained CRC, so the tampered log passes every CRC check. Like a careful forger it also
// removes the recorded end (raftlog/wal_end.h), which would name the rewritten chain.
inline void rewrite_wal(const std::string& wal_dir,
                        const std::function<void(std::vector<segment_frame>&)>& edit) {
  std::uint32_t running = 0;
  for (const std::string& name : list_files(wal_dir)) {
    if (name.size() < 4 || name.substr(name.size() - 4) != ".wal") continue;
    const std::string path = wal_dir + "/" + name;
    auto frames = read_segment_frames(path);
    edit(frames);
    running = write_segment_frames(path, std::move(frames), running);
  }
  std::filesystem::remove(wal_dir + "/" + raftlog::kEndFileName);
}

// Decoded entries of a frame list (entry records only).
inline std::vector<std::size_t> entry_frame_positions(const std::vector<segment_frame>& frames) {
  std::vector<std::size_t> positions;
  for (std::size_t i = 0; i < frames.size(); ++i) {
    if (frames[i].type == static_cast<std::int64_t>(codec::record_type::entry)) positions.push_back(i);
  }
  return positions;
}

// Copies every regular file of `from` into `to` (created), as writable 0600 copies.
inline void copy_files(const std::string& from, const std::string& to) {
  std::filesystem::create_directories(to);
  for (const std::string& name : list_files(from)) write_bytes(to + "/" + name, read_bytes(from + "/" + name));
}

// A data dir laid out as an encrypted store holding the MANIFEST's secretbox dataset.
inline void install_secretbox_vectors(const std::string& data_dir) {
  copy_files(etcd_vectors("secretbox-wal"), data_dir + "/wal-v3-encrypted");
  copy_files(etcd_vectors("secretbox-snap"), data_dir + "/snap-v3-encrypted");
}

// Runs `body` in a forked child with crash point `point` armed; returns the child's exit code
// (fileio::kCrashExitCode when it stopped there, 0 when it ran to the end).
template <class Body>
int run_child_crashing_at(const std::string& point, Body body) {
  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    fileio::arm_crash_point(point);
    body();
    ::_exit(0);
  }
  int wstatus = 0;
  if (::waitpid(pid, &wstatus, 0) != pid || !WIFEXITED(wstatus)) return -1;
  return WEXITSTATUS(wstatus);
}

}  // namespace raftvault::testing
