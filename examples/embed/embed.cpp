// A service embedding raftvault through the installed package alone (docs/embedding.md).
// Writes: spawns the pipeline on a new store, recovers, appends from several producer threads,
// saves a snapshot, rotates the data key (registering the snapshot provider a rotation asks),
// appends again under the new key, closes. Reads: reopens with the blocking API and checks that
// the snapshot, the entries after it, the hard state and the key generation are exactly what
// was acknowledged. Exit 0: all read back; 1: a mismatch or an error; 2: usage.
#include <raftvault/raftvault.h>

#include <caf/actor_system.hpp>
#include <caf/scoped_actor.hpp>

#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace rv = raftvault;
namespace rva = raftvault::actors;

constexpr int kProducers = 4;
constexpr int kAppendsPerProducer = 25;
constexpr int kEntriesPerAppend = 4;
constexpr std::uint64_t kTerm = 1;

bool fail(const std::string& what) {
  std::fprintf(stderr, "embed: %s\n", what.c_str());
  return false;
}

// The service's log as acknowledged durable, and its state machine (every entry applied).
class service_log {
 public:
  // Numbers `batch` and sends it under one lock, so that the storage receives the producers'
  // appends in index order (it refuses a gap).
  auto send(caf::scoped_actor& self, const rva::storage_actor& storage, std::vector<rv::entry>& batch) {
    std::lock_guard<std::mutex> order(send_order_);
    for (auto& e : batch) e.index = next_index_++;
    last_state_ = rv::hard_state{kTerm, 1, batch.front().index - 1};
    return self->request(storage, caf::infinite, rva::append_atom::value, last_state_, batch);
  }
  void acknowledged(const std::vector<rv::entry>& batch) {
    std::lock_guard<std::mutex> guard(applied_mutex_);
    for (const auto& e : batch) applied_[e.index] = e;
  }
  std::uint64_t applied_through() const {
    std::lock_guard<std::mutex> guard(applied_mutex_);
    return applied_.empty() ? 0 : applied_.rbegin()->first;
  }
  rv::snapshot snapshot_at(std::uint64_t index) const {
    std::lock_guard<std::mutex> guard(applied_mutex_);
    std::uint64_t hash = 1469598103934665603ull;  // FNV-1a over the applied payloads
    for (auto it = applied_.begin(); it != applied_.end() && it->first <= index; ++it)
      for (unsigned char c : it->second.data) hash = (hash ^ c) * 1099511628211ull;
    rv::snapshot snap;
    snap.data = "applied through " + std::to_string(index) + ", fnv1a " + std::to_string(hash);
    snap.metadata.index = index;
    snap.metadata.term = kTerm;
    snap.metadata.conf.voters = {1};
    return snap;
  }
  std::vector<rv::entry> entries_after(std::uint64_t index) const {
    std::lock_guard<std::mutex> guard(applied_mutex_);
    std::vector<rv::entry> out;
    for (auto it = applied_.upper_bound(index); it != applied_.end(); ++it) out.push_back(it->second);
    return out;
  }
  rv::hard_state last_state() const { return last_state_; }

 private:
  std::mutex send_order_;
  std::uint64_t next_index_ = 1;
  rv::hard_state last_state_;
  mutable std::mutex applied_mutex_;
  std::map<std::uint64_t, rv::entry> applied_;
};

// Answers a DEK rotation's request for a snapshot at an applied index >= min_index.
rva::snapshot_provider_actor::behavior_type snapshot_provider(std::shared_ptr<service_log> log) {
  return {[log](rva::take_snap_atom, std::uint64_t min_index) -> caf::result<rv::snapshot> {
    const auto applied = log->applied_through();
    if (applied < min_index)
      return rva::to_caf(rv::error(rv::errc::invalid_argument, "nothing applied at " + std::to_string(min_index)));
    return log->snapshot_at(applied);
  }};
}

// One request to the storage, waited for.
template <class T, class... Ts>
std::optional<T> call(caf::scoped_actor& self, const rva::storage_actor& storage, Ts&&... xs) {
  std::optional<T> out;
  self->request(storage, caf::infinite, std::forward<Ts>(xs)...)
      .receive([&](T& value) { out = std::move(value); },
               [&](caf::error& err) { fail(rva::from_caf(err).describe()); });
  return out;
}

bool produce(caf::actor_system& system, const rva::storage_actor& storage, service_log& log,
             int round, int producer) {
  caf::scoped_actor self{system};
  for (int n = 0; n < kAppendsPerProducer; ++n) {
    std::vector<rv::entry> batch(kEntriesPerAppend);
    for (int i = 0; i < kEntriesPerAppend; ++i) {
      batch[i].term = kTerm;
      batch[i].data = "round " + std::to_string(round) + " producer " + std::to_string(producer) +
                      " append " + std::to_string(n) + " entry " + std::to_string(i);
    }
    bool durable = false;
    log.send(self, storage, batch)
        .receive([&](std::uint64_t last_durable) { durable = last_durable >= batch.back().index; },
                 [&](caf::error& err) { fail("append: " + rva::from_caf(err).describe()); });
    if (!durable) return fail("append of " + std::to_string(batch.front().index) + ".. not durable");
    log.acknowledged(batch);
  }
  return true;
}

bool run_producers(caf::actor_system& system, const rva::storage_actor& storage, service_log& log,
                   int round) {
  std::vector<std::thread> producers;
  std::vector<char> ok(kProducers, 0);
  for (int p = 0; p < kProducers; ++p)
    producers.emplace_back([&, p] { ok[p] = produce(system, storage, log, round, p); });
  for (auto& t : producers) t.join();
  for (char each : ok)
    if (!each) return false;
  return true;
}

// Everything the write phase did that the read phase must find.
struct expected {
  std::uint64_t snapshot_index = 0;
  std::uint32_t key_generation = 0;
};

bool write_phase(const std::string& data_dir, std::shared_ptr<service_log> log, expected& out) {
  rva::pipeline_config config;
  config.set("raftvault.data-dir", data_dir);
  config.set("raftvault.create-if-missing", true);
  caf::actor_system system{config};
  auto options = rva::read_options(config);
  if (!options) return fail(options.error().describe());
  auto storage = rva::spawn_pipeline(system, *options);
  if (!storage) return fail("spawn: " + storage.error().describe());
  auto provider = system.spawn(snapshot_provider, log);
  caf::anon_send(*storage, rva::provider_atom::value, provider);
  bool ok = [&] {
    caf::scoped_actor self{system};
    auto recovered = call<rva::recovered_state>(self, *storage, rva::recover_atom::value);
    if (!recovered || recovered->snap || !recovered->entries.empty()) return fail("a new store recovered data");
    if (!run_producers(system, *storage, *log, 1)) return false;
    const auto snapshot_index = log->applied_through() / 2;
    auto saved = call<std::uint64_t>(self, *storage, rva::snapshot_atom::value, log->snapshot_at(snapshot_index));
    if (!saved || *saved != snapshot_index) return fail("snapshot at " + std::to_string(snapshot_index));
    auto rotation = call<rva::rotation_report>(self, *storage, rva::rotate_dek_atom::value);
    if (!rotation || rotation->new_id == rotation->old_id) return fail("DEK rotation");
    out = {rotation->snapshot_index, rotation->new_id};
    if (!run_producers(system, *storage, *log, 2)) return false;
    auto closed = call<bool>(self, *storage, rva::close_atom::value);
    return closed ? true : fail("close");
  }();
  // The actors are stopped before the system, whose destructor waits for them.
  caf::anon_send_exit(*storage, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(provider, caf::exit_reason::user_shutdown);
  return ok;
}

bool read_phase(const std::string& data_dir, const service_log& log, const expected& want) {
  rva::pipeline_options options;
  options.data_dir = data_dir;
  auto storage = rva::blocking_storage::open(options);
  if (!storage) return fail("reopen: " + storage.error().describe());
  auto recovered = (*storage)->recover();
  if (!recovered) return fail("recover: " + recovered.error().describe());
  if (!recovered->snap || !(*recovered->snap == log.snapshot_at(want.snapshot_index)))
    return fail("the snapshot read back is not the one the rotation saved at " +
                std::to_string(want.snapshot_index));
  if (recovered->entries != log.entries_after(want.snapshot_index))
    return fail("the entries read back after the snapshot differ from the acknowledged ones");
  if (!(recovered->state == log.last_state())) return fail("the hard state read back differs");
  auto status = (*storage)->status_report();
  if (!status || status->sealing_generation != want.key_generation ||
      status->key_generations != std::vector<std::uint32_t>{want.key_generation})
    return fail("the store does not seal with the rotated key generation alone");
  auto closed = (*storage)->close();
  if (!closed) return fail("close: " + closed.error().describe());
  std::printf("embed: ok: snapshot at %llu, %zu entries after it, key generation %u\n",
              static_cast<unsigned long long>(want.snapshot_index), recovered->entries.size(),
              want.key_generation);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s DATA_DIR   (a directory that does not exist yet)\n", argv[0]);
    return 2;
  }
  auto log = std::make_shared<service_log>();
  expected want;
  if (!write_phase(argv[1], log, want)) return 1;
  return read_phase(argv[1], *log, want) ? 0 : 1;
}
