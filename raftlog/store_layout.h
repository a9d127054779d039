// Where a store's files live (docs/design.md, "On-disk layout"). Directory names follow
// SwarmKit, so a plaintext store's wal-v3/ and snap-v3/ are a plain etcd WAL/snap pair.
#pragma once

#include <string>

namespace raftvault::raftlog {

struct store_layout {
  std::string data_dir;
  bool encrypted = true;

  std::string wal_dir() const { return data_dir + (encrypted ? "/wal-v3-encrypted" : "/wal-v3"); }
  std::string snap_dir() const { return data_dir + (encrypted ? "/snap-v3-encrypted" : "/snap-v3"); }
  std::string keys_dir() const { return data_dir + "/keys"; }
};

}  // namespace raftvault::raftlog
