#include "tools/demo_workload.h"

#include <caf/scoped_actor.hpp>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <thread>

namespace raftvault::cli::demo {

std::string entry_payload(std::uint64_t index, std::uint64_t term, std::size_t size) {
  const std::string unit = "entry " + std::to_string(index) + " term " + std::to_string(term) + "; ";
  std::string out;
  while (out.size() < size) out += unit;
  out.resize(size);
  return out;
}

std::string snapshot_payload(std::uint64_t index) {
  std::string out = "state machine applied through index " + std::to_string(index) + "\n";
  out.resize(16 << 10, '.');
  return out;
}

void service_state::proposed(std::uint64_t last_index, std::uint64_t) {
  std::lock_guard<std::mutex> guard(mutex_);
  proposed_ = std::max(proposed_, last_index);
}
void service_state::acknowledged(std::uint64_t, std::uint64_t last) {
  std::lock_guard<std::mutex> guard(mutex_);
  acked_ = std::max(acked_, last);
}
std::uint64_t service_state::last_proposed() const {
  std::lock_guard<std::mutex> guard(mutex_);
  return proposed_;
}
std::uint64_t service_state::last_acknowledged() const {
  std::lock_guard<std::mutex> guard(mutex_);
  return acked_;
}

namespace {

snapshot make_snapshot(std::uint64_t index, std::uint64_t term) {
  snapshot s;
  s.metadata.index = index;
  s.metadata.term = term;
  s.metadata.conf.voters = {1, 2, 3};
  s.data = snapshot_payload(index);
  return s;
}

}  // namespace

// A function with an argument, not a capturing lambda without one: CAF 0.17 binds spawn
// arguments through a tuple it leaves null when there are none (UBSan flags the dereference).
actors::snapshot_provider_actor::behavior_type snapshot_provider(std::shared_ptr<service_state> state) {
  return {[state](actors::take_snap_atom, std::uint64_t min_index) -> caf::result<snapshot> {
    // A rotation asks once the entries up to min_index are durable; the state machine has
    // applied everything proposed by then.
    if (state->last_proposed() < min_index)
      return actors::to_caf(error(errc::invalid_argument,
                                  "demo service: nothing applied at " + std::to_string(min_index)));
    return make_snapshot(min_index, state->term());
  }};
}

void register_provider(actors::blocking_storage& storage, std::shared_ptr<service_state> state) {
  storage.register_snapshot_provider(storage.system().spawn(snapshot_provider, std::move(state)));
}

struct load::impl {
  actors::blocking_storage& storage;
  std::shared_ptr<service_state> state;
  load_shape shape;
  ack_fn on_ack;
  std::atomic<bool> stopping{false};
  std::mutex order;
  std::uint64_t next_index;
  std::mutex stats_mutex;
  load_stats stats;
  std::vector<std::thread> threads;
  std::mutex wake_mutex;
  std::condition_variable wake;
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();

  impl(actors::blocking_storage& s, std::shared_ptr<service_state> st, std::uint64_t first, load_shape sh, ack_fn ack)
      : storage(s), state(std::move(st)), shape(sh), on_ack(std::move(ack)), next_index(first) {}

  void fail(const std::string& why) {
    std::lock_guard<std::mutex> guard(stats_mutex);
    if (stats.failure.empty()) stats.failure = why;
  }

  void produce() {
    caf::scoped_actor self{storage.system()};
    std::vector<std::uint64_t> latencies;
    std::uint64_t appends = 0, entries = 0, bytes = 0;
    while (!stopping) {
      std::vector<entry> batch;
      std::unique_lock<std::mutex> lock(order);
      const std::uint64_t first = next_index;
      for (std::size_t i = 0; i < shape.batch; ++i) {
        entry e;
        e.index = first + i;
        e.term = shape.term;
        e.data = entry_payload(e.index, e.term, shape.entry_bytes);
        batch.push_back(std::move(e));
      }
      next_index += shape.batch;
      state->proposed(batch.back().index, shape.term);
      const hard_state hs{shape.term, 1, first - 1};
      const auto sent = std::chrono::steady_clock::now();
      auto pending = self->request(storage.handle(), caf::infinite, actors::append_atom::value, hs, batch);
      lock.unlock();
      bool ok = false;
      pending.receive([&](std::uint64_t) { ok = true; },
                      [&](caf::error& err) { fail(actors::from_caf(err).message()); });
      if (!ok) break;
      latencies.push_back(static_cast<std::uint64_t>(
          std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - sent).count()));
      state->acknowledged(first, batch.back().index);
      if (on_ack) on_ack(first, batch.back().index, shape.term);
      ++appends;
      entries += batch.size();
      bytes += batch.size() * shape.entry_bytes;
    }
    std::lock_guard<std::mutex> guard(stats_mutex);
    stats.appends += appends;
    stats.entries += entries;
    stats.bytes += bytes;
    stats.latency_us.insert(stats.latency_us.end(), latencies.begin(), latencies.end());
  }

  void snapshots() {
    std::uint64_t last = 0;
    std::unique_lock<std::mutex> lock(wake_mutex);
    while (!stopping) {
      wake.wait_for(lock, std::chrono::duration<double>(shape.snapshot_every_s), [&] { return stopping.load(); });
      if (stopping) break;
      const std::uint64_t at = state->last_acknowledged();
      if (at <= last) continue;
      auto saved = storage.save_snapshot(make_snapshot(at, shape.term));
      if (!saved) {
        fail(saved.error().message());
        break;
      }
      last = at;
      std::lock_guard<std::mutex> guard(stats_mutex);
      ++stats.snapshots;
    }
  }
};

load::load(actors::blocking_storage& storage, std::shared_ptr<service_state> state, std::uint64_t first_index,
           load_shape shape, ack_fn on_ack)
    : impl_(std::make_unique<impl>(storage, std::move(state), first_index, shape, std::move(on_ack))) {
  for (std::size_t p = 0; p < shape.producers; ++p) impl_->threads.emplace_back([this] { impl_->produce(); });
  impl_->threads.emplace_back([this] { impl_->snapshots(); });
}

load::~load() { (void)stop(); }

load_stats load::stop() {
  if (!impl_->stopping.exchange(true)) {
    impl_->wake.notify_all();
    for (auto& t : impl_->threads) t.join();
    impl_->stats.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - impl_->start).count();
    std::sort(impl_->stats.latency_us.begin(), impl_->stats.latency_us.end());
  }
  return impl_->stats;
}

std::uint64_t percentile(const std::vector<std::uint64_t>& sorted, double p) {
  if (sorted.empty()) return 0;
  const auto rank = static_cast<std::size_t>(p * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(rank, sorted.size() - 1)];
}

}  // namespace raftvault::cli::demo
