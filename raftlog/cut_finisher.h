// The slow half of a WAL segment cut, run on a background thread so that append() never
// waits for the disk: fdatasync of the sealed segment, fdatasync of the new segment's header,
// rename of the new segment from its spare name (N.tmp) to its final name, directory fsync.
// etcd does all of it inside Save; here sync() waits for it before its own fdatasync, so
// nothing is acknowledged earlier than in etcd.
//
// Why the order is crash-safe: until the rename is durable the new segment is a spare that
// open() ignores, the sealed segment is the last one and only its tail can be torn (repaired
// as etcd does); once the rename is durable, the sealed segment is durable too.
// Crash points (in this thread): wal.cut.after_old_sync, wal.cut.after_new_write,
// wal.cut.after_rename.
#pragma once

#include <string>
#include <thread>

#include "codec/error.h"
#include "fileio/file.h"

namespace raftvault::raftlog {

struct cut_job {
  fileio::file sealed;     // the old tail, already truncated at its last record
  fileio::file next;       // an extra descriptor of the new segment, for its fdatasync
  std::string final_path;  // where next.path() is renamed to
  std::string dir;
  bool sync = true;  // false under wal_options::unsafe_no_sync: rename only
};

class cut_finisher {
 public:
  cut_finisher() = default;
  ~cut_finisher();  // waits for a running job
  cut_finisher(const cut_finisher&) = delete;
  cut_finisher& operator=(const cut_finisher&) = delete;

  // Starts `job`; the previous one must have been waited for.
  void start(cut_job job);
  bool pending() const { return worker_.joinable(); }
  // Blocks until the job started last has finished and returns its outcome (ok when none).
  status wait();

 private:
  std::thread worker_;
  status outcome_;
};

}  // namespace raftvault::raftlog
