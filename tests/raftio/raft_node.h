// One canonical raft node on a raftvault store, driven from the test's thread: the libuv loop
// runs only inside run_until, so every raft callback runs there too. The FSM records every
// command it applies, in order, so a test can check each was applied exactly once.
#pragma once

#include <catch2/catch.hpp>

#include "raftio/raft_c.h"

#include <chrono>
#include <cstring>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "actors/service_model.h"
#include "raftio/raft_io_backend.h"

namespace raftvault::testing {

// The state machine: the commands it applied, in order (each an 8-byte number).
struct counter_fsm {
  raft_fsm fsm{};
  std::vector<std::uint64_t> applied;

  counter_fsm() {
    fsm.version = 1;
    fsm.data = this;
    fsm.apply = [](raft_fsm* f, const raft_buffer* buf, void** result) {
      std::uint64_t v = 0;
      REQUIRE(buf->len == sizeof v);
      std::memcpy(&v, buf->base, sizeof v);
      static_cast<counter_fsm*>(f->data)->applied.push_back(v);
      *result = nullptr;
      return 0;
    };
    fsm.snapshot = [](raft_fsm* f, raft_buffer* bufs[], unsigned* n) {
      auto& self = *static_cast<counter_fsm*>(f->data);
      const auto bytes = self.applied.size() * sizeof(std::uint64_t);
      *bufs = static_cast<raft_buffer*>(raft_malloc(sizeof(raft_buffer)));
      (*bufs)[0].base = raft_malloc(bytes > 0 ? bytes : 1);
      (*bufs)[0].len = bytes;
      if (bytes > 0) std::memcpy((*bufs)[0].base, self.applied.data(), bytes);
      *n = 1;
      return 0;
    };
    fsm.restore = [](raft_fsm* f, raft_buffer* buf) {
      auto& self = *static_cast<counter_fsm*>(f->data);
      self.applied.resize(buf->len / sizeof(std::uint64_t));
      if (buf->len > 0) std::memcpy(self.applied.data(), buf->base, buf->len);
      raft_free(buf->base);
      return 0;
    };
  }
};

struct raft_apply_request {
  struct raft_apply req;  // first: the callback gets it back
};

class raft_node {
 public:
  raft_node(const temp_dir& dir, raft_id id, std::string address)
      : dir_(dir), id_(id), address_(std::move(address)) {}
  ~raft_node() { stop(); }

  // Opens the store and starts raft on it; `configure` may tune raft before it starts.
  // `servers`: the bootstrap configuration (id -> address); empty: this node alone.
  void start(bool bootstrap, std::function<void(raft*)> configure = nullptr,
             std::vector<std::pair<raft_id, std::string>> servers = {}) {
    auto options = test_store_options(dir_, 1 << 20);
    options.metadata = "raft-node-" + std::to_string(id_);
    auto storage = actors::blocking_storage::open(options);
    REQUIRE(storage);
    storage_ = std::move(*storage);
    REQUIRE(uv_loop_init(&loop_) == 0);
    REQUIRE(raft_uv_tcp_init(&transport_, &loop_) == 0);
    std::filesystem::create_directories(dir_ / ("uv-" + std::to_string(id_)));
    auto backend = raftio::raft_io_backend::create(&loop_, dir_ / ("uv-" + std::to_string(id_)), &transport_, *storage_);
    INFO((backend ? std::string() : backend.error().describe()));
    REQUIRE(backend);
    backend_ = std::move(*backend);
    fsm_ = std::make_unique<counter_fsm>();
    REQUIRE(raft_init(&raft_, backend_->io(), &fsm_->fsm, id_, address_.c_str()) == 0);
    backend_->attach(&raft_);
    raft_set_election_timeout(&raft_, 150);
    raft_set_heartbeat_timeout(&raft_, 30);
    if (configure) configure(&raft_);
    if (bootstrap) {
      raft_configuration conf;
      raft_configuration_init(&conf);
      if (servers.empty()) servers.emplace_back(id_, address_);
      for (const auto& [id, address] : servers)
        REQUIRE(raft_configuration_add(&conf, id, address.c_str(), RAFT_VOTER) == 0);
      const int rv = raft_bootstrap(&raft_, &conf);
      raft_configuration_close(&conf);
      bootstrap_result_ = rv;
    }
    REQUIRE(raft_start(&raft_) == 0);
    running_ = true;
  }

  // Runs the loop until `done` holds; fails the test after `limit`.
  void run_until(const std::function<bool()>& done, std::chrono::seconds limit = std::chrono::seconds(20)) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done()) {
      INFO("node " << id_ << ": raft state " << raft_state(&raft_) << ", last index " << raft_last_index(&raft_)
                   << ", applied " << raft_last_applied(&raft_) << ": " << raft_errmsg(&raft_));
      REQUIRE(std::chrono::steady_clock::now() < deadline);
      uv_run(&loop_, UV_RUN_ONCE);
    }
  }

  // Submits command `value` (the node must be the leader); `applied` counts its callback.
  void submit(std::uint64_t value) {
    auto* req = new raft_apply_request{};
    req->req.data = this;
    raft_buffer buf;
    buf.len = sizeof value;
    buf.base = raft_malloc(buf.len);
    std::memcpy(buf.base, &value, buf.len);
    REQUIRE(raft_apply(&raft_, &req->req, &buf, 1, [](struct raft_apply* r, int status, void*) {
              auto* self = static_cast<raft_node*>(r->data);
              if (status == 0) ++self->applied_callbacks_;
              delete reinterpret_cast<raft_apply_request*>(r);
            }) == 0);
  }

  // Applies commands [first, first + count) one after another (one in flight).
  void apply(std::uint64_t first, std::uint64_t count) {
    for (std::uint64_t next = first; next < first + count; ++next) {
      const auto before = applied_callbacks_;
      submit(next);
      run_until([&] { return applied_callbacks_ > before; });
    }
  }

  std::uint64_t applied_callbacks() const { return applied_callbacks_; }
  uv_loop_t* loop() { return &loop_; }
  bool running() const { return running_; }
  raft_id id() const { return id_; }

  void wait_leader() {
    run_until([&] { return raft_state(&raft_) == RAFT_LEADER; });
  }

  // Closes raft (its loop), then the store.
  void stop() {
    if (!running_) return;
    running_ = false;
    bool closed = false;
    raft_.data = &closed;
    raft_close(&raft_, [](raft* r) { *static_cast<bool*>(r->data) = true; });
    run_until([&] { return closed; });
    backend_.reset();
    raft_uv_tcp_close(&transport_);
    uv_run(&loop_, UV_RUN_DEFAULT);
    REQUIRE(uv_loop_close(&loop_) == 0);
    REQUIRE(storage_->close());
    storage_.reset();
  }

  actors::storage_status storage_status() {
    auto st = storage_->status_report();
    REQUIRE(st);
    return *st;
  }
  raft* raw() { return &raft_; }
  counter_fsm& fsm() { return *fsm_; }
  int bootstrap_result() const { return bootstrap_result_; }

 private:
  const temp_dir& dir_;
  raft_id id_;
  std::string address_;
  std::unique_ptr<actors::blocking_storage> storage_;
  uv_loop_t loop_{};
  raft_uv_transport transport_{};
  std::unique_ptr<raftio::raft_io_backend> backend_;
  std::unique_ptr<counter_fsm> fsm_;
  raft raft_{};
  bool running_ = false;
  int bootstrap_result_ = 0;
  std::uint64_t applied_callbacks_ = 0;
};

}  // namespace raftvault::testing
