// A tiny stand-in for a consensus service in the actor tests: it remembers every acknowledged
// entry (index -> term, data) and serves snapshots of what it has applied, as a raft node's
// state machine would.
#pragma once

#include <map>
#include <memory>
#include <mutex>

#include "actors/pipeline.h"
#include "support/test_support.h"

namespace raftvault::testing {

class service_model {
 public:
  void acknowledge(const std::vector<entry>& entries) {
    std::lock_guard<std::mutex> guard(mutex_);
    for (const auto& e : entries) {
      // raft overwrites a suffix: drop everything from the first rewritten index on.
      acked_.erase(acked_.lower_bound(e.index), acked_.end());
    }
    for (const auto& e : entries) acked_[e.index] = e;
  }
  // Entries handed to the storage (in log order). A rotation's forced snapshot may cover any
  // of them up to the barrier, which it only asks for once they are durable.
  void propose(const std::vector<entry>& entries) {
    std::lock_guard<std::mutex> guard(mutex_);
    if (!entries.empty()) proposed_last_ = {entries.back().index, entries.back().term};
  }
  std::map<std::uint64_t, entry> acknowledged() const {
    std::lock_guard<std::mutex> guard(mutex_);
    return acked_;
  }
  // A snapshot at the highest acknowledged index (>= min_index), or nullopt.
  std::optional<snapshot> snapshot_at_least(std::uint64_t min_index) const {
    std::lock_guard<std::mutex> guard(mutex_);
    auto last = proposed_last_;
    if (!acked_.empty() && acked_.rbegin()->first > last.first)
      last = {acked_.rbegin()->first, acked_.rbegin()->second.term};
    if (last.first < min_index) return std::nullopt;
    snapshot s;
    s.metadata.index = min_index;
    s.metadata.term = last.second;
    s.metadata.conf.voters = {1, 2, 3};
    s.data = "state-machine@" + std::to_string(s.metadata.index);
    return s;
  }
  std::atomic<int> fail_snapshots{0};  // the next N snapshot requests fail
  std::atomic<int> snapshots_served{0};

 private:
  mutable std::mutex mutex_;
  std::map<std::uint64_t, entry> acked_;
  std::pair<std::uint64_t, std::uint64_t> proposed_last_{0, 0};
};

// The service's snapshot provider actor over a model.
inline actors::snapshot_provider_actor::behavior_type snapshot_provider(
    std::shared_ptr<service_model> model) {
  return {
      [model](actors::take_snap_atom, std::uint64_t min_index) -> caf::result<snapshot> {
        if (model->fail_snapshots > 0) {
          --model->fail_snapshots;
          return actors::to_caf(error(errc::io, "test provider: snapshot failed on purpose"));
        }
        auto snap = model->snapshot_at_least(min_index);
        if (!snap)
          return actors::to_caf(error(errc::invalid_argument,
                                      "test provider: nothing applied at " + std::to_string(min_index)));
        ++model->snapshots_served;
        return *snap;
      },
  };
}

// A new store in `dir`/store with the given segment size; rotations are resumed by the test
// (an explicit rotate_dek), never by the retry timer.
// A snapshot of a one-voter cluster at `index` (term 1) whose state names its index.
inline snapshot test_snapshot(std::uint64_t index, std::uint64_t term = 1) {
  snapshot s;
  s.metadata.index = index;
  s.metadata.term = term;
  s.metadata.conf.voters = {1};
  s.data = "state@" + std::to_string(index);
  return s;
}

inline actors::pipeline_options test_store_options(const temp_dir& dir, std::uint64_t segment_size) {
  actors::pipeline_options options;
  options.data_dir = dir / "store";
  options.create_if_missing = true;
  options.segment_size = segment_size;
  options.rotation_retry_ms = 3'600'000;
  return options;
}

inline std::vector<entry> make_entries(std::uint64_t first, std::size_t count, std::uint64_t term,
                                       std::size_t size) {
  std::vector<entry> out;
  for (std::size_t i = 0; i < count; ++i) {
    entry e;
    e.index = first + i;
    e.term = term;
    e.data = std::string(size, static_cast<char>('a' + (first + i) % 26));
    e.data.replace(0, std::min<std::size_t>(size, 20),
                   ("idx" + std::to_string(first + i) + "t" + std::to_string(term)).substr(0, std::min<std::size_t>(size, 20)));
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace raftvault::testing
