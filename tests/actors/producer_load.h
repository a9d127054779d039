// Closed-loop producers for the actor tests: each thread takes the next index range under one
// mutex and sends its append while still holding it (so the order of acceptance is the order
// of the indexes, as a raft node's single log writer would guarantee), then waits for the
// reply outside the lock. Acknowledgements and failures go to callbacks; a producer stops at
// its first failure (a fail-stopped store refuses everything afterwards anyway).
#pragma once

#include <caf/scoped_actor.hpp>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "actors/pipeline.h"
#include "service_model.h"

namespace raftvault::testing {

class producer_load {
 public:
  using batch_fn = std::function<void(const std::vector<entry>&)>;
  using failure_fn = std::function<void(const std::vector<entry>&, const raftvault::error&)>;

  struct shape {
    std::size_t producers = 4;
    std::size_t batch = 4;         // entries per append
    std::size_t entry_bytes = 128;
    std::uint64_t term = 1;
  };

  // `proposed` runs under the order lock before the append is sent (the service model's log).
  producer_load(caf::actor_system& system, actors::storage_actor storage, std::uint64_t first_index,
                shape s, batch_fn acknowledged, failure_fn failed, batch_fn proposed = {})
      : next_index_(first_index) {
    for (std::size_t p = 0; p < s.producers; ++p) {
      threads_.emplace_back([this, &system, storage, s, acknowledged, failed, proposed] {
        caf::scoped_actor self{system};
        while (!stop_) {
          std::unique_lock<std::mutex> lock(order_);
          auto batch = make_entries(next_index_, s.batch, s.term, s.entry_bytes);
          next_index_ += s.batch;
          if (proposed) proposed(batch);
          // Commit: everything before this batch (the model applies in order).
          const hard_state state{s.term, 1, batch.front().index - 1};
          auto pending = self->request(storage, caf::infinite, actors::append_atom::value, state, batch);
          lock.unlock();
          bool ok = false;
          raftvault::error why(errc::closed, "no reply");
          pending.receive([&](std::uint64_t) { ok = true; },
                          [&](caf::error& err) { why = actors::from_caf(err); });
          if (!ok) {
            failed(batch, why);
            return;
          }
          acknowledged(batch);
        }
      });
    }
  }
  ~producer_load() { stop(); }
  producer_load(const producer_load&) = delete;
  producer_load& operator=(const producer_load&) = delete;

  // Producers finish their append in flight and stop.
  void stop() {
    stop_ = true;
    join();
  }
  // Waits for every producer to stop by itself (each stops at its first failure).
  void join() {
    for (auto& t : threads_)
      if (t.joinable()) t.join();
  }

 private:
  std::atomic<bool> stop_{false};
  std::mutex order_;
  std::uint64_t next_index_;
  std::vector<std::thread> threads_;
};

// Counts acknowledged entries so a test can wait for "at least N" without sleeping.
class ack_counter {
 public:
  void add(std::size_t n) {
    {
      std::lock_guard<std::mutex> guard(mutex_);
      count_ += n;
    }
    changed_.notify_all();
  }
  void give_up() {
    {
      std::lock_guard<std::mutex> guard(mutex_);
      gave_up_ = true;
    }
    changed_.notify_all();
  }
  // True once `n` were counted; false if give_up() came first.
  bool wait_for(std::size_t n) {
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait(lock, [&] { return count_ >= n || gave_up_; });
    return count_ >= n;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::size_t count_ = 0;
  bool gave_up_ = false;
};

}  // namespace raftvault::testing
