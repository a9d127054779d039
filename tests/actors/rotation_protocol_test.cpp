// The DEK rotation protocol's message order (DESIGN.md §4.1), driven by hand on CAF's
// deterministic test coordinator: every actor of the pipeline runs on the test's thread
// (pipeline_options.detach_io = false), a message is processed only when the test runs the
// scheduler, and the rotation-retry timer fires only when the test dispatches it. Files, keys,
// fsyncs and crypto are real.
#include <catch2/catch.hpp>

#include <caf/scheduler/test_coordinator.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <functional>

#include "actors/pipeline.h"
#include "codec/cipher.h"
#include "fileio/fault_injection.h"
#include "fileio/file.h"
#include "keys/key_file.h"
#include "raftlog/snapshotter.h"
#include "raftlog/wal.h"
#include "service_model.h"
#include "support/test_support.h"

using namespace raftvault;
using namespace raftvault::actors;
using raftvault::testing::make_entries;
using raftvault::testing::temp_dir;

namespace {

// A snapshot provider the test controls: it records what it is asked for and holds the
// request (answered later by the test), fails it, or answers at once.
struct provider_control {
  enum class mode { hold, fail, answer_too_old, answer };
  mode next = mode::hold;
  std::vector<std::uint64_t> asked;  // min_index of every request, in order
  std::vector<std::pair<std::uint64_t, caf::typed_response_promise<snapshot>>> held;
  std::function<void(std::uint64_t)> on_ask;

  static snapshot at(std::uint64_t index) { return raftvault::testing::test_snapshot(index); }
};

using answer_atom = caf::atom_constant<caf::atom("answer")>;

// The provider's interface plus the test's "answer the oldest held request now": a response
// promise must be delivered by its own actor while it runs (on the test coordinator its
// execution unit only exists then), so the test sends this message rather than delivering.
using controlled_provider_actor =
    snapshot_provider_actor::extend<caf::reacts_to<answer_atom, std::uint64_t>>;

controlled_provider_actor::behavior_type controlled_provider(
    controlled_provider_actor::pointer self, std::shared_ptr<provider_control> ctl) {
  return {
      [ctl](answer_atom, std::uint64_t index) {
        REQUIRE_FALSE(ctl->held.empty());
        auto promise = ctl->held.front().second;
        ctl->held.erase(ctl->held.begin());
        promise.deliver(provider_control::at(index));
      },
      [self, ctl](take_snap_atom, std::uint64_t min_index) -> caf::result<snapshot> {
        ctl->asked.push_back(min_index);
        if (ctl->on_ask) ctl->on_ask(min_index);
        switch (ctl->next) {
          case provider_control::mode::hold: {
            auto promise = self->make_response_promise<snapshot>();
            ctl->held.emplace_back(min_index, promise);
            return promise;
          }
          case provider_control::mode::fail:
            return to_caf(error(errc::io, "test provider: state machine unavailable"));
          case provider_control::mode::answer_too_old:
            return provider_control::at(min_index - 1);
          case provider_control::mode::answer:
            break;
        }
        return provider_control::at(min_index);
      },
  };
}

// The key file as it is on disk right now (read without the store's lock).
struct key_file_state {
  std::uint32_t current = 0;
  std::uint32_t pending = 0;  // 0: none
  bool needs_rotation = false;
};

// One pipeline on a test coordinator, and requests whose replies land in slots.
struct coordinated_pipeline {
  temp_dir dir;
  pipeline_options options;
  pipeline_config config;
  std::unique_ptr<caf::actor_system> system;
  caf::scheduler::test_coordinator* sched = nullptr;
  storage_actor storage;
  controlled_provider_actor provider_actor;
  std::shared_ptr<provider_control> provider = std::make_shared<provider_control>();

  template <class T>
  using slot = std::shared_ptr<std::optional<result<T>>>;

  // `before_start`: writes to the store before the pipeline opens it (a previous run).
  explicit coordinated_pipeline(std::uint64_t crypto_inline_bytes = 0,
                                const std::function<void(const pipeline_options&)>& before_start = {}) {
    options.data_dir = dir / "store";
    options.create_if_missing = true;
    options.segment_size = 1 << 20;  // one segment: every record stays readable for inspection
    options.detach_io = false;
    options.crypto_workers = 2;
    options.crypto_inline_bytes = crypto_inline_bytes;  // 0: every batch is sealed on the pool
    options.rotation_retry_ms = 500;
    if (before_start) before_start(options);
    config.set("scheduler.policy", caf::atom("testing"));
    system = std::make_unique<caf::actor_system>(config);
    sched = &dynamic_cast<caf::scheduler::test_coordinator&>(system->scheduler());
    auto store = open_store(options);
    INFO((store ? std::string() : store.error().describe()));
    REQUIRE(store);
    storage = spawn_storage(*system, options, std::move(*store));
    provider_actor = system->spawn(controlled_provider, provider);
    caf::anon_send(storage, provider_atom::value, caf::actor_cast<snapshot_provider_actor>(provider_actor));
    sched->run();
  }

  ~coordinated_pipeline() {
    if (storage) {
      (void)ask<bool>(close_atom::value);
      sched->run();
      caf::anon_send_exit(storage, caf::exit_reason::user_shutdown);
    }
    caf::anon_send_exit(provider_actor, caf::exit_reason::user_shutdown);
    storage = nullptr;
    provider_actor = nullptr;
    sched->run();
    provider->held.clear();  // the promises refer to the provider, which refers to `provider`
  }

  // The held provider answers its oldest request with a snapshot at `index` when next run.
  void answer_held(std::uint64_t index) { caf::anon_send(provider_actor, answer_atom::value, index); }

  // Sends a request from a fresh client actor once the scheduler runs it; clients spawned in
  // a row send in that order.
  template <class T, class... Ts>
  slot<T> ask(Ts... xs) {
    auto out = std::make_shared<std::optional<result<T>>>();
    // Everything goes in as spawn arguments: CAF 0.17 dereferences a null argument tuple for
    // an actor spawned without any (UBSan reports it).
    system->spawn(
        [](caf::event_based_actor* self, slot<T> out, storage_actor dest, Ts... xs) {
          self->request(dest, caf::infinite, xs...)
              .then([out](T value) { out->emplace(std::move(value)); },
                    [out](caf::error& err) { out->emplace(from_caf(err)); });
        },
        out, storage, xs...);
    return out;
  }
  slot<std::uint64_t> append(std::uint64_t first, std::size_t count) {
    return ask<std::uint64_t>(append_atom::value, hard_state{1, 1, first - 1},
                              make_entries(first, count, 1, 100));
  }
  slot<rotation_report> rotate() { return ask<rotation_report>(rotate_dek_atom::value); }
  storage_status status() {
    auto st = ask<storage_status>(status_atom::value);
    sched->run();
    REQUIRE(*st);
    REQUIRE(**st);
    return ***st;
  }

  std::string wal_dir() const { return options.data_dir + "/wal-v3-encrypted"; }
  std::string snap_dir() const { return options.data_dir + "/snap-v3-encrypted"; }

  key_file_state keys_on_disk() const {
    const auto path = options.data_dir + "/keys/node.key";
    auto text = fileio::read_file(path);
    REQUIRE(text);
    auto contents = keys::decode_key_file(*text, nullptr, path);
    REQUIRE(contents);
    return {contents->current.generation,
            contents->pending ? contents->pending->generation : 0u, contents->needs_rotation};
  }
  // Whether the snapshot at `index` is on disk with a WAL record that a restart uses (a hard
  // state whose commit covers it).
  bool snapshot_recorded(std::uint64_t index) const {
    const snapshot_marker marker{index, 1};
    const bool file = std::filesystem::exists(snap_dir() + "/" + raftlog::snapshotter::file_name(marker));
    auto markers = raftlog::valid_snapshot_markers(wal_dir());
    REQUIRE(markers);
    return file && std::find(markers->begin(), markers->end(), marker) != markers->end();
  }
  // Key generation that sealed each entry in the WAL, by index (read after close).
  std::map<std::uint64_t, std::uint32_t> sealing_keys_in_wal() const {
    auto contents = raftlog::read_wal(wal_dir(), snapshot_marker{});
    REQUIRE(contents);
    std::map<std::uint64_t, std::uint32_t> out;
    for (const auto& e : contents->entries) {
      auto header = codec::inspect_record(e.data);
      REQUIRE(header);
      out[e.index] = header->key_id;
    }
    return out;
  }
  void close() {
    auto closed = ask<bool>(close_atom::value);
    sched->run();
    REQUIRE(*closed);
    INFO(((**closed) ? std::string() : (**closed).error().describe()));
    REQUIRE(**closed);
    storage = nullptr;
  }
};

template <class T>
T value_of(const coordinated_pipeline::slot<T>& reply) {
  REQUIRE(*reply);
  INFO(((**reply) ? std::string() : (**reply).error().describe()));
  REQUIRE(**reply);
  return ***reply;
}

}  // namespace

TEST_CASE("rotation protocol: the barrier splits C from P, the snapshot is durable before retire",
          "[actors][rotation][protocol]") {
  coordinated_pipeline p;
  auto first = p.append(1, 10);
  p.sched->run();
  CHECK(value_of(first) == 10);

  // Queued together before anything runs: an append, the rotation request, another append.
  // Both appends reach the storage before the rotator's switch, so both are sealed with C.
  std::uint64_t wal_last_when_asked = 0;
  p.provider->on_ask = [&](std::uint64_t) {
    auto contents = raftlog::read_wal(p.wal_dir(), snapshot_marker{});
    REQUIRE(contents);
    wal_last_when_asked = contents->entries.back().index;
  };
  auto before = p.append(11, 5);
  auto rotation = p.rotate();
  auto racing = p.append(16, 5);
  p.sched->run();
  CHECK(value_of(before) >= 15);  // the last durable index: both may share one group
  CHECK(value_of(racing) == 20);
  // The rotation now waits for the provider (holding the request): asked once, for
  // max(last_old, snapshot index + 1) = 20, and only after everything sealed with C was in the WAL.
  CHECK_FALSE(*rotation);
  CHECK(p.provider->asked == std::vector<std::uint64_t>{20});
  CHECK(wal_last_when_asked == 20);
  auto keys = p.keys_on_disk();
  CHECK(keys.current == 1);
  CHECK(keys.pending == 2);
  auto st = p.status();
  CHECK(st.rotation_state == "{C,P}");
  CHECK(st.sealing_generation == 2);
  CHECK(st.key_generations == std::vector<std::uint32_t>{1, 2});

  // Appends keep flowing while the provider is late; they are sealed with P.
  auto after = p.append(21, 5);
  p.sched->run();
  CHECK(value_of(after) == 25);
  CHECK_FALSE(*rotation);

  // The late answer, at exactly the minimum index. One job at a time: the key file must keep
  // {C,P} until the .snap file and its WAL record (with a covering hard state) are written.
  p.answer_held(20);
  bool retired = false;
  std::size_t steps = 0;
  while (p.sched->try_run_once()) {
    ++steps;
    keys = p.keys_on_disk();
    if (keys.pending == 0) {
      CHECK(keys.current == 2);
      if (!retired) CHECK(p.snapshot_recorded(20));
      retired = true;
    } else {
      CHECK(keys.current == 1);
      CHECK_FALSE(retired);
    }
  }
  CHECK(retired);
  CHECK(steps > 3);
  auto report = value_of(rotation);
  CHECK(report.old_id == 1);
  CHECK(report.new_id == 2);
  CHECK(report.last_old == 20);
  CHECK(report.snapshot_index == 20);
  st = p.status();
  CHECK(st.rotation_state == "{C}");
  CHECK(st.key_generations == std::vector<std::uint32_t>{2});

  p.close();
  // Log order is acceptance order, and each record carries the key in force at acceptance.
  auto sealed_with = p.sealing_keys_in_wal();
  REQUIRE(sealed_with.size() == 25);
  for (const auto& [index, key_id] : sealed_with) {
    INFO("entry " << index);
    CHECK(key_id == (index <= 20 ? 1u : 2u));
  }
}

TEST_CASE("rotation protocol: with nothing appended since the last snapshot the forced one is newer",
          "[actors][rotation][protocol]") {
  coordinated_pipeline p(64 << 10);  // sealed inline
  auto appended = p.append(1, 10);
  auto saved = p.ask<std::uint64_t>(snapshot_atom::value, provider_control::at(10));
  p.sched->run();
  CHECK(value_of(appended) == 10);
  CHECK(value_of(saved) == 10);
  auto rotation = p.rotate();
  p.sched->run();
  // last_old = 10 = the snapshot index: the forced snapshot must be at >= 11.
  CHECK(p.provider->asked == std::vector<std::uint64_t>{11});
  auto next = p.append(11, 1);
  p.sched->run();
  CHECK(value_of(next) == 11);
  p.answer_held(11);
  p.sched->run();
  auto report = value_of(rotation);
  CHECK(report.last_old == 10);
  CHECK(report.snapshot_index == 11);
  // The C-sealed snapshot at 10 was deleted by the retire; only P's remains.
  auto names = raftlog::snapshotter(p.snap_dir()).list();
  REQUIRE(names);
  CHECK(*names == std::vector<std::string>{raftlog::snapshotter::file_name({11, 1})});
}

TEST_CASE("rotation protocol: requests during a rotation coalesce into exactly one more",
          "[actors][rotation][protocol]") {
  coordinated_pipeline p;
  auto appended = p.append(1, 10);
  auto first = p.rotate();
  p.sched->run();
  CHECK(value_of(appended) == 10);
  REQUIRE(p.provider->held.size() == 1);

  std::vector<coordinated_pipeline::slot<rotation_report>> coalesced;
  for (int i = 0; i < 3; ++i) coalesced.push_back(p.rotate());
  p.sched->run();
  for (const auto& r : coalesced) CHECK_FALSE(*r);
  auto keys = p.keys_on_disk();
  CHECK(keys.current == 1);
  CHECK(keys.pending == 2);
  CHECK(keys.needs_rotation);  // F persisted: survives a crash
  CHECK(p.status().rotation_state == "{C,P,F}");

  auto more = p.append(11, 5);
  p.sched->run();
  CHECK(value_of(more) == 15);
  p.answer_held(10);
  p.sched->run();
  auto report = value_of(first);
  CHECK(report.old_id == 1);
  CHECK(report.new_id == 2);
  // The first one's end started the second at once: its forced snapshot is asked for.
  for (const auto& r : coalesced) CHECK_FALSE(*r);
  CHECK(p.provider->asked == std::vector<std::uint64_t>{10, 15});
  REQUIRE(p.provider->held.size() == 1);
  keys = p.keys_on_disk();
  CHECK(keys.current == 2);
  CHECK(keys.pending == 3);
  CHECK_FALSE(keys.needs_rotation);

  p.answer_held(15);
  p.sched->run();
  for (const auto& r : coalesced) {
    auto second = value_of(r);
    CHECK(second.old_id == 2);
    CHECK(second.new_id == 3);
    CHECK(second.last_old == 15);
    CHECK(second.snapshot_index == 15);
  }
  // Four requests, two rotations: generations advanced by exactly 2, nothing more pending.
  CHECK(p.provider->asked.size() == 2);
  keys = p.keys_on_disk();
  CHECK(keys.current == 3);
  CHECK(keys.pending == 0);
  CHECK_FALSE(keys.needs_rotation);
  CHECK_FALSE(p.sched->has_pending_timeout());
  CHECK(p.status().rotation_state == "{C}");
}

TEST_CASE("rotation protocol: a failing provider leaves the rotation pending until the retry timer",
          "[actors][rotation][protocol]") {
  struct failing_case {
    const char* what;
    provider_control::mode mode;
    const char* message;
  };
  const std::vector<failing_case> cases = {
      {"provider error", provider_control::mode::fail,
       "snapshot provider failed: test provider: state machine unavailable"},
      {"snapshot too old", provider_control::mode::answer_too_old,
       "the snapshot provider answered with index 9, need >= 10"},
  };
  for (const auto& c : cases) {
    DYNAMIC_SECTION(c.what) {
      coordinated_pipeline p;
      auto appended = p.append(1, 10);
      p.sched->run();
      CHECK(value_of(appended) == 10);
      p.provider->next = c.mode;
      auto rotation = p.rotate();
      p.sched->run();
      REQUIRE(*rotation);
      REQUIRE_FALSE(**rotation);
      CHECK_THAT((**rotation).error().message(), Catch::Contains("DEK rotation left pending, will retry"));
      CHECK_THAT((**rotation).error().message(), Catch::Contains(c.message));
      // Pending: both keys in the file and in use, nothing retired, no snapshot written.
      auto keys = p.keys_on_disk();
      CHECK(keys.current == 1);
      CHECK(keys.pending == 2);
      auto st = p.status();
      CHECK(st.rotation_state == "{C,P}");
      CHECK(st.key_generations == std::vector<std::uint32_t>{1, 2});
      CHECK(raftlog::snapshotter(p.snap_dir()).list()->empty());

      auto more = p.append(11, 2);
      p.sched->run();
      CHECK(value_of(more) == 12);
      CHECK(p.provider->asked == std::vector<std::uint64_t>{10});

      // The retry timer, dispatched by hand, resumes the rotation with no request from anyone.
      p.provider->next = provider_control::mode::answer;
      REQUIRE(p.sched->has_pending_timeout());
      CHECK(p.sched->trigger_timeouts() == 1);
      p.sched->run();
      CHECK(p.provider->asked == std::vector<std::uint64_t>{10, 12});
      keys = p.keys_on_disk();
      CHECK(keys.current == 2);
      CHECK(keys.pending == 0);
      st = p.status();
      CHECK(st.rotation_state == "{C}");
      CHECK(st.key_generations == std::vector<std::uint32_t>{2});
      CHECK_FALSE(p.sched->has_pending_timeout());
      p.close();
      auto sealed_with = p.sealing_keys_in_wal();
      REQUIRE(sealed_with.size() == 12);
      for (const auto& [index, key_id] : sealed_with) CHECK(key_id == (index <= 10 ? 1u : 2u));
    }
  }
}

TEST_CASE("rotation protocol: a store with nothing sealed under C retires without a snapshot",
          "[actors][rotation][protocol]") {
  coordinated_pipeline p;
  auto rotation = p.rotate();
  p.sched->run();
  auto report = value_of(rotation);
  CHECK(report.old_id == 1);
  CHECK(report.new_id == 2);
  CHECK(report.last_old == 0);
  CHECK(report.snapshot_index == 0);
  CHECK(p.provider->asked.empty());
  CHECK(p.keys_on_disk().current == 2);
}

namespace {

// Faults are process-wide: clear them whatever way a test case ends.
struct clear_faults_at_exit {
  ~clear_faults_at_exit() { fileio::clear_faults(); }
};

}  // namespace

TEST_CASE("rotation protocol: a request coalesced into the next rotation is answered when the storage fail-stops",
          "[actors][rotation][protocol]") {
  clear_faults_at_exit guard;
  coordinated_pipeline p;
  auto appended = p.append(1, 10);
  auto first = p.rotate();
  p.sched->run();
  CHECK(value_of(appended) == 10);
  REQUIRE(p.provider->held.size() == 1);
  auto coalesced = p.rotate();  // F: served by the rotation after this one
  p.sched->run();
  CHECK_FALSE(*coalesced);

  // The disk fails while the provider is late: the storage fail-stops.
  fileio::inject_fault(fileio::op::fdatasync, 1, EIO, /*sticky=*/true);
  auto failed = p.append(11, 1);
  p.sched->run();
  REQUIRE(*failed);
  REQUIRE_FALSE(**failed);
  p.answer_held(10);
  p.sched->run();
  REQUIRE(*first);
  REQUIRE_FALSE(**first);
  // No rotation can run on a fail-stopped storage: every retry is refused at its barrier. The
  // coalesced requester must learn that too, not wait for a rotation that never comes.
  for (int retry = 0; retry < 3 && !*coalesced; ++retry) {
    REQUIRE(p.sched->has_pending_timeout());
    p.sched->trigger_timeouts();
    p.sched->run();
  }
  REQUIRE(*coalesced);
  REQUIRE_FALSE(**coalesced);
  CHECK_THAT((**coalesced).error().message(), Catch::Contains("DEK rotation left pending, will retry"));
  CHECK_THAT((**coalesced).error().message(), Catch::Contains(std::strerror(EIO)));
}

TEST_CASE("rotation protocol: after a retire whose old files could not be deleted the coalesced rotation runs",
          "[actors][rotation][protocol]") {
  clear_faults_at_exit guard;
  coordinated_pipeline p(64 << 10);  // sealed inline
  // A snapshot sealed with C, which the retire deletes.
  auto appended = p.append(1, 10);
  auto saved = p.ask<std::uint64_t>(snapshot_atom::value, provider_control::at(10));
  p.sched->run();
  CHECK(value_of(appended) == 10);
  CHECK(value_of(saved) == 10);
  auto first = p.rotate();
  p.sched->run();
  REQUIRE(p.provider->asked == std::vector<std::uint64_t>{11});
  auto coalesced = p.rotate();
  auto more = p.append(11, 1);
  p.sched->run();
  CHECK(value_of(more) == 11);
  CHECK_FALSE(*coalesced);
  CHECK(p.keys_on_disk().needs_rotation);

  // The forced snapshot is written; the retire persists {C := P}, then deleting the C-sealed
  // snapshot at 10 fails (the first unlink from here on).
  p.provider->next = provider_control::mode::answer;
  fileio::inject_fault(fileio::op::unlink, 1, EIO);
  p.answer_held(11);
  p.sched->run();
  REQUIRE(*first);
  REQUIRE_FALSE(**first);
  CHECK_THAT((**first).error().message(), Catch::Contains(std::strerror(EIO)));
  // The rotation itself is complete in the key file; F (the coalesced request) is still to do,
  // and its requester waits for it: the next rotation must run, not wait for another request.
  REQUIRE(*coalesced);
  auto second = value_of(coalesced);
  CHECK(second.old_id == 2);
  CHECK(second.new_id == 3);
  CHECK(p.provider->asked == std::vector<std::uint64_t>{11, 12});
  auto keys = p.keys_on_disk();
  CHECK(keys.current == 3);
  CHECK(keys.pending == 0);
  CHECK_FALSE(keys.needs_rotation);
}

// After a rewrite of 15..16 over 1..20 (sealed with C), a rotation asks for a snapshot at 20;
// the service catches up (17..20 again, sealed with P), the rotation retires C, and the store
// still opens at that snapshot.
void finish_after_rewrite(coordinated_pipeline& p, const coordinated_pipeline::slot<rotation_report>& rotation) {
  REQUIRE_FALSE(p.provider->asked.empty());
  CHECK(p.provider->asked.back() == 20);
  const auto asked = p.provider->asked.back();
  auto more = p.ask<std::uint64_t>(append_atom::value, hard_state{2, 1, asked},
                                   make_entries(17, asked - 16, 2, 100));
  p.sched->run();
  CHECK(value_of(more) == asked);
  p.answer_held(asked);
  p.sched->run();
  auto report = value_of(rotation);
  CHECK(report.last_old == 20);
  CHECK(report.snapshot_index == 20);
  p.close();
  auto reopened = open_store(p.options);
  INFO((reopened ? std::string() : reopened.error().describe()));
  REQUIRE(reopened);
  REQUIRE(reopened->recovered.snap);
  CHECK(reopened->recovered.snap->metadata.index == asked);
}

TEST_CASE("rotation protocol: entries a rewrite replaced under C do not outlive the retired key",
          "[actors][rotation][protocol]") {
  // 1..20 sealed with C, then a new leader's rewrite from 15 (15..16): the log ends at 16, but
  // the WAL still holds the replaced 17..20 (sealed with C) before the rewrite. A restart at a
  // snapshot below 20 reads them back (a replayed entry at or below the snapshot index is
  // skipped, so it truncates nothing, as in etcd) unless something later rewrote them: last_old
  // is the highest index written with C, 20, and the forced snapshot must reach it.
  coordinated_pipeline p(64 << 10);  // sealed inline
  auto appended = p.append(1, 20);
  p.sched->run();
  CHECK(value_of(appended) == 20);
  auto rewritten = p.ask<std::uint64_t>(append_atom::value, hard_state{2, 1, 16},
                                        make_entries(15, 2, 2, 100));
  p.sched->run();
  CHECK(value_of(rewritten) == 16);
  auto rotation = p.rotate();
  p.sched->run();
  CHECK(p.provider->asked == std::vector<std::uint64_t>{20});
  finish_after_rewrite(p, rotation);
}

TEST_CASE("rotation protocol: entries a rewrite replaced before a restart do not outlive the retired key",
          "[actors][rotation][protocol]") {
  // As above, but the rewrite happened in a previous run: the log reopens ending at 16, and
  // only the WAL's records still say that 17..20 were written with C.
  coordinated_pipeline p(64 << 10, [](const pipeline_options& options) {
    auto store = open_store(options);
    REQUIRE(store);
    REQUIRE(store->log->save(hard_state{1, 1, 14}, make_entries(1, 20, 1, 100)));
    REQUIRE(store->log->save(hard_state{2, 1, 16}, make_entries(15, 2, 2, 100)));
    REQUIRE(store->log->close());
  });
  auto rotation = p.rotate();
  p.sched->run();
  finish_after_rewrite(p, rotation);  // before: asked for 16, and the reopened store lost 17..20's key
}
