#include "reliability/powercut_workload.h"

#include <caf/scoped_actor.hpp>

#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <random>
#include <sstream>
#include <thread>

#include "actors/pipeline.h"
#include "keys/unlock_key.h"

namespace raftvault::reliability::powercut {
namespace {

std::uint64_t fnv1a(const std::string& bytes) {
  std::uint64_t h = 14695981039346656037ull;
  for (unsigned char c : bytes) h = (h ^ c) * 1099511628211ull;
  return h;
}

// The entry at `index`: its size and bytes derive from the seed, its first bytes name it.
entry entry_at(std::uint64_t seed, std::uint64_t index, std::uint64_t term) {
  std::mt19937_64 random(seed * 1000003u + index);
  entry e;
  e.index = index;
  e.term = term;
  e.data = "e" + std::to_string(index) + "t" + std::to_string(term) + ":";
  const std::size_t size = std::uniform_int_distribution<std::size_t>(8, 400)(random);
  while (e.data.size() < size) e.data.push_back(static_cast<char>('a' + random() % 26));
  return e;
}

// Acknowledgements in the order they arrived, each stamped with the recording's position.
class ack_log {
 public:
  void add(acknowledgement a) {
    {
      std::lock_guard<std::mutex> guard(mutex_);
      a.position = fileio::durability_log_position();
      if (a.what == acknowledgement::kind::append) {
        entries_ += a.entries.size();
        for (const auto& d : a.entries) highest_ = std::max(highest_, d.index);
      }
      acks_.push_back(std::move(a));
    }
    changed_.notify_all();
  }
  void fail(const std::string& why) {
    {
      std::lock_guard<std::mutex> guard(mutex_);
      if (failure_.empty()) failure_ = why;
    }
    changed_.notify_all();
  }
  // Waits until `n` more entries were acknowledged than now (false: a producer failed).
  bool wait_for_more(std::size_t n) {
    std::unique_lock<std::mutex> lock(mutex_);
    const std::size_t target = entries_ + n;
    changed_.wait(lock, [&] { return entries_ >= target || !failure_.empty(); });
    return failure_.empty();
  }
  std::uint64_t highest_acknowledged() const {
    std::lock_guard<std::mutex> guard(mutex_);
    return highest_;
  }
  std::vector<acknowledgement> take(std::string& failure) {
    std::lock_guard<std::mutex> guard(mutex_);
    failure = failure_;
    std::stable_sort(acks_.begin(), acks_.end(),
                     [](const auto& a, const auto& b) { return a.position < b.position; });
    return std::move(acks_);
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<acknowledgement> acks_;
  std::size_t entries_ = 0;
  std::uint64_t highest_ = 0;
  std::string failure_;
};

// Closed-loop producers: each takes the next indexes and sends its append under one lock (so
// acceptance order is index order, as a raft node's single log writer guarantees), then waits
// for the reply outside it. The control thread sends its hard-state-only appends and starts
// new terms under the same lock.
class producers {
 public:
  producers(actors::blocking_storage& store, std::size_t count, std::uint64_t seed,
            std::shared_ptr<content_model> model, ack_log& acks)
      : store_(store), acks_(acks) {
    for (std::size_t p = 0; p < count; ++p) {
      threads_.emplace_back([this, seed, p, model] {
        std::mt19937_64 random(seed ^ (0x9e3779b97f4a7c15ull * (p + 1)));
        caf::scoped_actor self{store_.system()};
        while (!stop_) {
          std::unique_lock<std::mutex> lock(order_);
          const std::size_t count = std::uniform_int_distribution<std::size_t>(1, 8)(random);
          std::vector<entry> batch;
          for (std::size_t i = 0; i < count; ++i) batch.push_back(entry_at(seed, next_index_ + i, term_));
          next_index_ += count;
          acknowledgement ack;
          ack.what = acknowledgement::kind::append;
          last_commit_ = batch.front().index - 1;
          ack.state = hard_state{term_, 1, last_commit_};
          for (const auto& e : batch) {
            ack.entries.push_back(digest_of(e));
            model->add(ack.entries.back());
          }
          auto pending = self->request(store_.handle(), caf::infinite, actors::append_atom::value,
                                       ack.state, std::move(batch));
          lock.unlock();
          if (!answered(pending, std::move(ack))) return;
        }
      });
    }
  }
  ~producers() { stop(); }
  void stop() {
    stop_ = true;
    for (auto& t : threads_)
      if (t.joinable()) t.join();
  }

  // Entries and hard states from now on carry the next term.
  void new_term() {
    std::lock_guard<std::mutex> guard(order_);
    ++term_;
  }
  // A hard state alone, committing `commit` (acknowledged, so in the log).
  bool commit_to(std::uint64_t commit) {
    caf::scoped_actor self{store_.system()};
    std::unique_lock<std::mutex> lock(order_);
    acknowledgement ack;
    ack.what = acknowledgement::kind::append;
    // Never below a commit already sent: a hard state does not go back.
    last_commit_ = std::max(last_commit_, commit);
    ack.state = hard_state{term_, 1, last_commit_};
    auto pending = self->request(store_.handle(), caf::infinite, actors::append_atom::value, ack.state,
                                 std::vector<entry>{});
    lock.unlock();
    return answered(pending, std::move(ack));
  }

 private:
  template <class Pending>
  bool answered(Pending& pending, acknowledgement ack) {
    std::string failure;
    pending.receive([](std::uint64_t) {},
                    [&](caf::error& err) { failure = actors::from_caf(err).describe(); });
    if (!failure.empty()) {
      acks_.fail("append: " + failure);
      return false;
    }
    acks_.add(std::move(ack));
    return true;
  }

  actors::blocking_storage& store_;
  ack_log& acks_;
  std::atomic<bool> stop_{false};
  std::mutex order_;
  std::uint64_t next_index_ = 1;
  std::uint64_t term_ = 1;
  std::uint64_t last_commit_ = 0;
  std::vector<std::thread> threads_;
};

// The control thread's steps, between bursts of appends.
class controller {
 public:
  controller(actors::blocking_storage& store, std::shared_ptr<content_model> model, ack_log& acks,
             workload_run& run)
      : store_(store), model_(std::move(model)), acks_(acks), run_(run) {}

  std::string snapshot_now(bool then_release) {
    auto status = store_.status_report();
    if (!status) return "status: " + status.error().describe();
    const std::uint64_t index = acks_.highest_acknowledged();
    if (index <= status->snapshot_index) return {};
    auto snap = model_->snapshot_at(index);
    if (!snap) return "no snapshot content at " + std::to_string(index);
    auto saved = store_.save_snapshot(*snap);
    if (!saved && overtaken(index)) return {};
    if (!saved) return "snapshot at " + std::to_string(index) + ": " + saved.error().describe();
    acknowledgement ack;
    ack.what = acknowledgement::kind::snapshot;
    ack.index = *saved;
    acks_.add(ack);
    ++snapshots_;
    if (!then_release) return {};
    if (auto released = store_.release_to(*saved); !released)
      return "release to " + std::to_string(*saved) + ": " + released.error().describe();
    ack.what = acknowledgement::kind::release;
    acks_.add(ack);
    ++releases_;
    return {};
  }

  // Whether a rotation's forced snapshot (an autolock on starts one) reached `index` first.
  bool overtaken(std::uint64_t index) {
    auto status = store_.status_report();
    return status && status->snapshot_index >= index;
  }

  std::string rotate_dek() {
    auto report = store_.rotate_dek();
    if (!report) return "rotate_dek: " + report.error().describe();
    acknowledgement ack;
    ack.what = acknowledgement::kind::rotate_dek;
    ack.index = report->snapshot_index;
    ack.generation = report->new_id;
    acks_.add(ack);
    ++dek_rotations_;
    return {};
  }

  // A new unlock key, made here so that it is known before the key file holds it.
  std::string rotate_kek() {
    auto status = store_.status_report();
    if (!status) return "status: " + status.error().describe();
    auto key = keys::unlock_key::generate();
    if (!key) return "unlock key: " + key.error().describe();
    auto text = key->text();
    if (!text) return "unlock key text: " + text.error().describe();
    const std::string key_text(text->view());
    run_.unlock_keys.push_back(key_text);
    auto rotated = store_.rotate_kek(key_text, status->kek_version + 1);
    if (!rotated) return "rotate_kek: " + rotated.error().describe();
    return note_kek(key_text);
  }

  std::string autolock_off() {
    auto changed = store_.set_autolock(false);
    if (!changed) return "autolock off: " + changed.error().describe();
    return note_kek("");
  }

  // The store makes the key: nobody knows it before the reply.
  std::string autolock_on() {
    auto changed = store_.set_autolock(true);
    if (!changed) return "autolock on: " + changed.error().describe();
    run_.unlock_keys.push_back(*changed);
    return note_kek(*changed, /*from_store=*/true);
  }

  bool locked() {
    auto status = store_.status_report();
    return status && status->locked;
  }

  std::string summary() const {
    std::ostringstream out;
    out << snapshots_ << " snapshots, " << releases_ << " releases, " << dek_rotations_
        << " DEK rotations, " << kek_changes_ << " KEK changes";
    return out.str();
  }

 private:
  std::string note_kek(const std::string& key_text, bool from_store = false) {
    auto status = store_.status_report();
    if (!status) return "status: " + status.error().describe();
    acknowledgement ack;
    ack.what = acknowledgement::kind::kek;
    ack.kek_version = status->kek_version;
    ack.unlock_key = key_text;
    ack.key_from_store = from_store;
    acks_.add(ack);
    ++kek_changes_;
    return {};
  }

  actors::blocking_storage& store_;
  std::shared_ptr<content_model> model_;
  ack_log& acks_;
  workload_run& run_;
  int snapshots_ = 0, releases_ = 0, dek_rotations_ = 0, kek_changes_ = 0;
};

enum class control_step {
  snapshot, snapshot_and_release, rotate_dek, rotate_kek, toggle_autolock, new_term, commit_alone,
};
constexpr std::size_t kStepKinds = 7;

// Every kind of step once, in a seeded order, then seeded picks up to `count`.
std::vector<control_step> control_steps(std::size_t count, std::mt19937_64& random) {
  std::vector<control_step> steps;
  for (std::size_t k = 0; k < kStepKinds; ++k) steps.push_back(static_cast<control_step>(k));
  std::shuffle(steps.begin(), steps.end(), random);
  while (steps.size() < count) steps.push_back(static_cast<control_step>(random() % kStepKinds));
  return steps;
}

actors::pipeline_options options_for(const std::string& data_dir, std::mt19937_64& random,
                                     const workload_shape& shape) {
  actors::pipeline_options options;
  options.data_dir = data_dir;
  options.create_if_missing = true;
  options.segment_size = shape.segment_size;
  options.wal_direct_io = shape.direct_io;
  options.snapshot_keep = 2;
  options.rotation_retry_ms = 3'600'000;  // resumed by requests only: no timer in the recording
  options.rotation_step_pause_us = random() % 2 == 0 ? 0 : 300;
  options.segment_delete_rate = random() % 2 == 0 ? 0 : (1ull << 30);
  options.background_nice = 0;
  return options;
}

}  // namespace

void content_model::add(const entry_digest& d) {
  std::lock_guard<std::mutex> guard(mutex_);
  digests_[d.index] = d;
}

std::uint64_t content_model::last() const {
  std::lock_guard<std::mutex> guard(mutex_);
  return digests_.empty() ? 0 : digests_.rbegin()->first;
}

std::optional<snapshot> content_model::snapshot_at(std::uint64_t index) const {
  std::lock_guard<std::mutex> guard(mutex_);
  auto at = digests_.find(index);
  if (at == digests_.end()) return std::nullopt;
  snapshot s;
  s.metadata.index = index;
  s.metadata.term = at->second.term;
  s.metadata.conf.voters = {1};
  for (const auto& [i, d] : digests_) {
    if (i > index) break;
    s.data.append(reinterpret_cast<const char*>(&d), sizeof d);
  }
  return s;
}

actors::snapshot_provider_actor::behavior_type content_provider(std::shared_ptr<content_model> model) {
  return {
      [model](actors::take_snap_atom, std::uint64_t min_index) -> caf::result<snapshot> {
        auto snap = model->snapshot_at(min_index);
        if (!snap)
          return actors::to_caf(error(errc::invalid_argument,
                                      "powercut provider: nothing applied at " + std::to_string(min_index)));
        return *snap;
      },
  };
}

entry_digest digest_of(const entry& e) { return {e.index, e.term, fnv1a(e.data)}; }

bool parse_snapshot_data(const std::string& data, std::map<std::uint64_t, entry_digest>& out) {
  if (data.size() % sizeof(entry_digest) != 0) return false;
  for (std::size_t at = 0; at < data.size(); at += sizeof(entry_digest)) {
    entry_digest d;
    std::memcpy(&d, data.data() + at, sizeof d);
    out[d.index] = d;
  }
  return true;
}

workload_run run_workload(const std::string& root, std::uint64_t seed, const workload_shape& shape) {
  workload_run run;
  std::mt19937_64 random(seed);
  run.options = options_for(root + "/" + kStoreName, random, shape);
  auto model = std::make_shared<content_model>();
  ack_log acks;
  if (!fileio::start_durability_log(root)) {
    run.failure = "cannot record " + root;
    return run;
  }
  {
    auto opened = actors::blocking_storage::open(run.options);
    if (!opened) {
      run.failure = "open: " + opened.error().describe();
      run.recording = fileio::stop_durability_log();
      return run;
    }
    auto& store = **opened;
    acknowledgement created;
    created.what = acknowledgement::kind::created;
    acks.add(std::move(created));
    store.register_snapshot_provider(store.system().spawn(content_provider, model));
    controller control(store, model, acks, run);
    producers load(store, shape.producers, seed, model, acks);
    std::string failure;
    for (const auto step : control_steps(shape.control_steps, random)) {
      if (!failure.empty() || !acks.wait_for_more(std::uniform_int_distribution<std::size_t>(10, 60)(random)))
        break;
      switch (step) {
        case control_step::snapshot: failure = control.snapshot_now(false); break;
        case control_step::snapshot_and_release: failure = control.snapshot_now(true); break;
        case control_step::rotate_dek: failure = control.rotate_dek(); break;
        case control_step::rotate_kek: failure = control.rotate_kek(); break;
        case control_step::toggle_autolock:
          failure = control.locked() ? control.autolock_off() : control.autolock_on();
          break;
        case control_step::new_term: load.new_term(); break;
        case control_step::commit_alone:
          if (!load.commit_to(acks.highest_acknowledged())) failure = "hard state alone refused";
          break;
      }
    }
    if (failure.empty()) acks.wait_for_more(20);
    load.stop();
    if (!failure.empty()) acks.fail(failure);
    if (auto closed = store.close(); !closed) acks.fail("close: " + closed.error().describe());
    run.summary = control.summary();
  }
  run.recording = fileio::stop_durability_log();
  run.acks = acks.take(run.failure);
  std::size_t entries = 0;
  for (const auto& a : run.acks) entries += a.entries.size();
  run.summary = std::to_string(entries) + " entries acknowledged, " + run.summary + ", " +
                std::to_string(run.recording.ops.size()) + " operations recorded";
  run.options.data_dir = kStoreName;
  return run;
}

}  // namespace raftvault::reliability::powercut
