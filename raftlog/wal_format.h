// Constants of the etcd 3.4 WAL as raftvault writes it (docs/wal-format.md mirrors this file;
// the frame layout and the 10 MiB record limit live in codec/wal_record.h).
#pragma once

#include <cstdint>

#include "codec/wal_record.h"

namespace raftvault::raftlog {

// etcd's SegmentSizeBytes default: 64 MB (not MiB).
constexpr std::uint64_t kDefaultSegmentBytes = 64'000'000;

// etcd's PageWriter: records are buffered up to 128 KiB and spilled in 4 KiB pages; only a
// sync flushes everything. The cut decision sees the spilled offset (wal_write_lag.h).
constexpr std::uint64_t kEtcdPageBytes = 8 * 512;
constexpr std::uint64_t kEtcdBufferBytes = 128 * 1024;

// A torn write leaves at least one whole 512-byte sector of zeros inside the damaged frame
// (etcd's minSectorSize); that is how a torn tail is told apart from corruption.
constexpr std::uint64_t kSectorBytes = 512;

// raftvault writes each save with one write() per this many bytes at most.
constexpr std::size_t kWriteChunkBytes = 1 << 20;
// ... and with O_DIRECT (wal_options::direct_io), where each write waits for the device: a
// write per MiB would pay a device round trip per MiB.
constexpr std::size_t kDirectWriteChunkBytes = 16 << 20;

constexpr const char* kSegmentSuffix = ".wal";
constexpr const char* kTempSuffix = ".tmp";        // file pipeline spares: 0.tmp, 1.tmp
constexpr const char* kBrokenSuffix = ".broken";   // copy of a segment before tail repair
constexpr const char* kDeletingSuffix = ".deleting";  // a released segment being given back
// The writer's exclusive lock. etcd ignores files that do not end in .wal.
constexpr const char* kLockFileName = "raftvault.lock";
// Where a clean close left the log (raftlog/wal_end.h); absent while open or after a crash.
constexpr const char* kEndFileName = "raftvault.end";

static_assert(kEtcdBufferBytes % kEtcdPageBytes == 0, "etcd's buffer holds whole pages");
static_assert(kEtcdPageBytes % kSectorBytes == 0, "a page is whole sectors");
static_assert(codec::kMaxRecordBytes == 10 * 1024 * 1024, "etcd's maxWALEntrySizeLimit");

}  // namespace raftvault::raftlog
