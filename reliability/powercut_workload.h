// The powercut campaign's workload: one seeded run of the actor pipeline under a durability
// recording (fileio/durability_log.h) — producers appending, and a control thread taking
// snapshots, releasing segments, rotating the DEK and the KEK, turning autolock on and off,
// starting new terms and advancing the commit alone — with
// every acknowledgement noted at its position in the recording, so that a power cut at any
// position knows exactly what was acknowledged before it.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "actors/config.h"
#include "actors/storage.h"
#include "codec/raft_types.h"
#include "fileio/durability_log.h"

namespace raftvault::reliability::powercut {

// One entry as the service remembers it; also the unit of a snapshot's contents, so that a
// snapshot at N can be checked to cover entries 1..N.
struct entry_digest {
  std::uint64_t index = 0;
  std::uint64_t term = 0;
  std::uint64_t data_hash = 0;
  bool operator==(const entry_digest& o) const {
    return index == o.index && term == o.term && data_hash == o.data_hash;
  }
};
entry_digest digest_of(const entry& e);
// The service's log as its snapshot provider sees it: every entry handed to the storage. A
// snapshot at N carries the digests of entries 1..N.
class content_model {
 public:
  void add(const entry_digest& d);
  std::uint64_t last() const;  // 0: empty
  std::optional<snapshot> snapshot_at(std::uint64_t index) const;

 private:
  mutable std::mutex mutex_;
  std::map<std::uint64_t, entry_digest> digests_;
};
// The service's snapshot provider over a model ("nothing applied" below what it holds).
actors::snapshot_provider_actor::behavior_type content_provider(std::shared_ptr<content_model> model);

// The digests a snapshot's data carries (entries 1..index); false when it is not such a list.
bool parse_snapshot_data(const std::string& data, std::map<std::uint64_t, entry_digest>& out);

struct acknowledgement {
  enum class kind { created, append, snapshot, release, rotate_dek, kek };
  kind what = kind::created;
  std::size_t position = 0;             // in the recording: after every operation before it
  std::vector<entry_digest> entries;    // append
  hard_state state;                     // append
  std::uint64_t index = 0;              // snapshot, release: its index; rotate_dek: its snapshot
  std::uint32_t generation = 0;         // rotate_dek: the new DEK
  std::uint64_t kek_version = 0;        // kek: the key file's version after it
  std::string unlock_key;               // kek: the unlock key after it ("" = unlocked)
  bool key_from_store = false;          // kek: autolock on, whose key the reply shows first
};

struct workload_shape {
  std::size_t producers = 3;
  std::size_t control_steps = 10;  // snapshots, releases and rotations
  std::uint64_t segment_size = 64 << 10;
  bool direct_io = true;
};

struct workload_run {
  fileio::durability_recording recording;
  std::vector<acknowledgement> acks;  // by position
  // Every unlock key of the run (text form): those the workload handed to the store,
  // acknowledged or not, and those autolock on answered with.
  std::vector<std::string> unlock_keys;
  actors::pipeline_options options;  // data_dir relative to the recording's root: "store"
  std::string summary;               // what the run did, in words
  std::string failure;               // non-empty: the workload itself failed (a finding too)
};

inline constexpr const char* kStoreName = "store";

// Runs the workload in `root` (an empty directory), recording it.
workload_run run_workload(const std::string& root, std::uint64_t seed, const workload_shape& shape);

}  // namespace raftvault::reliability::powercut
