// The rotation protocol tests' fixture: one pipeline on CAF's deterministic test coordinator
// (coordinator_fixture.h; the retry timer fires only when the test dispatches it), a snapshot
// provider the test controls, and the key file as it is on disk.
#pragma once

#include <catch2/catch.hpp>

#include <caf/scheduler/test_coordinator.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "actors/pipeline.h"
#include "codec/cipher.h"
#include "coordinator_fixture.h"
#include "fileio/fault_injection.h"
#include "fileio/file.h"
#include "keys/key_file.h"
#include "raftlog/snapshotter.h"
#include "raftlog/wal.h"
#include "service_model.h"
#include "support/test_support.h"

namespace raftvault::actors::rotation_fixture {

using raftvault::testing::make_entries;
using raftvault::testing::temp_dir;

// A snapshot provider the test controls: it records what it is asked for and holds the
// request (answered later by the test), fails it, or answers at once.
struct provider_control {
  enum class mode { hold, fail, answer_too_old, answer };
  mode next = mode::hold;
  std::vector<std::uint64_t> asked;  // min_index of every request, in order
  std::vector<std::pair<std::uint64_t, caf::typed_response_promise<snapshot>>> held;
  std::function<void(std::uint64_t)> on_ask;
  std::uint64_t term = 1;  // of the snapshots answered to held requests

  static snapshot at(std::uint64_t index, std::uint64_t term = 1) {
    return raftvault::testing::test_snapshot(index, term);
  }
};

using answer_atom = caf::atom_constant<caf::atom("answer")>;

// The provider's interface plus the test's "answer the oldest held request now": a response
// promise must be delivered by its own actor while it runs (on the test coordinator its
// execution unit only exists then), so the test sends this message rather than delivering.
using controlled_provider_actor =
    snapshot_provider_actor::extend<caf::reacts_to<answer_atom, std::uint64_t>>;

inline controlled_provider_actor::behavior_type controlled_provider(
    controlled_provider_actor::pointer self, std::shared_ptr<provider_control> ctl) {
  return {
      [ctl](answer_atom, std::uint64_t index) {
        REQUIRE_FALSE(ctl->held.empty());
        auto promise = ctl->held.front().second;
        ctl->held.erase(ctl->held.begin());
        promise.deliver(provider_control::at(index, ctl->term));
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

// One pipeline on a test coordinator with the controlled provider registered, and requests
// whose replies land in slots.
struct coordinated_pipeline : raftvault::testing::coordinated_store {
  controlled_provider_actor provider_actor;
  std::shared_ptr<provider_control> provider = std::make_shared<provider_control>();

  // `before_start`: runs before the pipeline opens the store: writes to it (a previous run), or
  // options of the test's own.
  explicit coordinated_pipeline(std::uint64_t crypto_inline_bytes = 0,
                                const std::function<void(pipeline_options&)>& before_start = {})
      : coordinated_store([&](pipeline_options& o) {
          o.segment_size = 1 << 20;  // one segment: every record stays readable for inspection
          o.crypto_workers = 2;
          o.crypto_inline_bytes = crypto_inline_bytes;  // 0: every batch is sealed on the pool
          o.rotation_retry_ms = 500;
          if (before_start) before_start(o);
        }) {
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


}  // namespace raftvault::actors::rotation_fixture
