#include "bench/pipeline_load.h"

#include <vector>

#include "actors/atoms.h"

namespace raftvault::bench {
namespace {

using clock_type = std::chrono::steady_clock;

struct producer_state {
  latency_histogram latency;
  static inline const char* name = "raftvault-bench.producer";
};
using producer_pointer = caf::stateful_actor<producer_state>*;

void stop_producer(producer_pointer self, const std::shared_ptr<pipeline_load>& load,
                   const std::string& error) {
  {
    std::lock_guard<std::mutex> guard(load->results);
    load->latency.merge(self->state.latency);
    if (!error.empty() && load->first_error.empty()) load->first_error = error;
    ++load->stopped;
  }
  load->all_stopped.notify_all();
  self->quit();
}

void record_failure(const std::shared_ptr<pipeline_load>& load, std::uint64_t first) {
  load->failed_appends.fetch_add(1, std::memory_order_relaxed);
  auto lowest = load->lowest_failed_index.load();
  while ((lowest == 0 || first < lowest) &&
         !load->lowest_failed_index.compare_exchange_weak(lowest, first)) {
  }
}

// One append: entries are built outside the lock; indexes, hard state and the send happen
// under it. The hard state's commit trails the batch, as a leader's does. The latency runs
// from `since`. After the reply, `done(error)` (empty on success; a failed ack log line
// counts as an error).
template <class Done>
void send_append(producer_pointer self, std::shared_ptr<pipeline_load> load,
                 clock_type::time_point since, Done done) {
  std::vector<entry> entries(static_cast<std::size_t>(load->batch));
  for (auto& e : entries) {
    e.term = 1;
    e.data = load->payload;
  }
  std::unique_lock<std::mutex> lock(load->order);
  const std::uint64_t first = load->next_index;
  for (auto& e : entries) e.index = load->next_index++;
  const hard_state state{1, 1, first - 1};
  auto pending = self->request(load->storage, caf::infinite, actors::append_atom::value, state,
                               std::move(entries));
  load->highest_sent.store(first + load->batch - 1, std::memory_order_relaxed);
  lock.unlock();
  pending.then(
      [self, load, since, done](std::uint64_t last_durable) {
        const auto now = clock_type::now();
        const auto took = now - since;
        if (load->measuring.load(std::memory_order_relaxed)) self->state.latency.record(took);
        if (load->series)
          load->series->record(now, static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(took).count()),
                               load->batch);
        load->acked_entries.fetch_add(load->batch, std::memory_order_relaxed);
        load->acked_appends.fetch_add(1, std::memory_order_relaxed);
        auto highest = load->highest_durable.load(std::memory_order_relaxed);
        while (last_durable > highest &&
               !load->highest_durable.compare_exchange_weak(highest, last_durable)) {
        }
        if (load->acks) {
          if (auto logged = load->acks->record(last_durable); !logged)
            return done(logged.error().describe());
        }
        done(std::string());
      },
      [load, first, done](caf::error& err) {
        record_failure(load, first);
        // A refused append means the store stopped or the log order broke.
        done(actors::from_caf(err).describe());
      });
}

void append_next(producer_pointer self, std::shared_ptr<pipeline_load> load) {
  if (load->stopping.load(std::memory_order_relaxed)) return stop_producer(self, load, "");
  send_append(self, load, clock_type::now(), [self, load](const std::string& error) {
    if (!error.empty()) return stop_producer(self, load, error);  // stops at its first failure
    append_next(self, load);
  });
}

caf::behavior producer(producer_pointer self, std::shared_ptr<pipeline_load> load) {
  append_next(self, load);
  // Responses are handled outside the behavior; this keeps the actor alive between them.
  return {[](actors::status_atom) {}};
}

caf::behavior open_loop_sender(producer_pointer self, std::shared_ptr<pipeline_load> load) {
  return {
      [self, load](arrival_atom, std::int64_t scheduled_ns) {
        send_append(self, load, load->started + std::chrono::nanoseconds(scheduled_ns),
                    [load](const std::string& error) {
                      if (!error.empty()) {
                        std::lock_guard<std::mutex> guard(load->results);
                        if (load->first_error.empty()) load->first_error = error;
                        load->open_loop_failed = true;
                      }
                      load->release_outstanding();
                    });
      },
      [self, load](finish_atom) { stop_producer(self, load, ""); },
  };
}

actors::snapshot_provider_actor::behavior_type snapshot_provider(
    std::shared_ptr<pipeline_load> load) {
  return {
      [load](actors::take_snap_atom, std::uint64_t min_index) -> caf::result<snapshot> {
        load->provider_asked_ns.store(
            std::chrono::duration_cast<std::chrono::nanoseconds>(clock_type::now() - load->started)
                .count());
        if (min_index > load->highest_sent.load())
          return actors::to_caf(error(errc::invalid_argument,
                                      "bench provider: index " + std::to_string(min_index) +
                                          " was never sent"));
        snapshot snap;
        snap.metadata.index = min_index;
        snap.metadata.term = 1;
        snap.metadata.conf.voters = {1};
        snap.data.assign(static_cast<std::size_t>(load->snapshot_size), 's');
        return snap;
      },
  };
}

}  // namespace

void pipeline_load::wait_stopped(std::uint64_t producers) {
  std::unique_lock<std::mutex> lock(results);
  all_stopped.wait(lock, [&] { return stopped >= producers; });
}

bool pipeline_load::wait_stopped_until(std::uint64_t producers, std::chrono::steady_clock::time_point until) {
  std::unique_lock<std::mutex> lock(results);
  return all_stopped.wait_until(lock, until, [&] { return stopped >= producers; });
}

void pipeline_load::allow_restart() {
  std::lock_guard<std::mutex> guard(results);
  stopped = 0;
  stopping = false;
}

caf::actor spawn_producer(caf::actor_system& system, std::shared_ptr<pipeline_load> load) {
  return system.spawn(producer, std::move(load));
}

caf::actor spawn_open_loop_sender(caf::actor_system& system, std::shared_ptr<pipeline_load> load) {
  return system.spawn(open_loop_sender, std::move(load));
}

void pipeline_load::release_outstanding() {
  outstanding_bytes.fetch_sub(append_bytes());
  if (pacer_blocked.load()) {
    // Taking the mutex orders this wake after the pacer's check of the predicate.
    { std::lock_guard<std::mutex> guard(pacer_mutex); }
    pacer_wake.notify_all();
  }
}

bool pipeline_load::wait_outstanding_below(std::uint64_t cap, std::uint64_t adding,
                                           std::chrono::steady_clock::time_point until) {
  const auto fits = [&] {
    const auto now = outstanding_bytes.load();
    return now == 0 || now + adding <= cap;
  };
  if (fits()) return true;
  std::unique_lock<std::mutex> lock(pacer_mutex);
  pacer_blocked = true;
  const bool ok = pacer_wake.wait_until(lock, until, fits);
  pacer_blocked = false;
  return ok;
}

actors::snapshot_provider_actor spawn_snapshot_provider(caf::actor_system& system,
                                                        std::shared_ptr<pipeline_load> load) {
  return system.spawn(snapshot_provider, std::move(load));
}

}  // namespace raftvault::bench
