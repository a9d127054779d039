// Several canonical raft nodes on raftvault stores in one test thread: their libuv loops are
// multiplexed with poll() on each loop's backend fd, so every raft callback of every node runs
// on this thread, woken by the network, raft's timers or a storage answer.
#pragma once

#include <poll.h>
#include <signal.h>

#include <algorithm>

#include "raft_node.h"

namespace raftvault::testing {

class raft_cluster {
 public:
  explicit raft_cluster(std::size_t size, std::uint16_t first_port) {
    // raft_uv does not guard against SIGPIPE: a peer closed mid-send would end the process.
    signal(SIGPIPE, SIG_IGN);
    for (std::size_t i = 0; i < size; ++i) {
      dirs_.push_back(std::make_unique<temp_dir>());
      servers_.emplace_back(i + 1, "127.0.0.1:" + std::to_string(first_port + i));
    }
    for (std::size_t i = 0; i < size; ++i)
      nodes_.push_back(std::make_unique<raft_node>(*dirs_[i], servers_[i].first, servers_[i].second));
  }

  void start(std::size_t i, bool bootstrap, std::function<void(raft*)> configure) {
    nodes_[i]->start(bootstrap, std::move(configure), servers_);
  }
  raft_node& node(std::size_t i) { return *nodes_[i]; }
  std::string dir(std::size_t i) const { return dirs_[i]->path(); }
  std::size_t size() const { return nodes_.size(); }

  void run_until(const std::function<bool()>& done, std::chrono::seconds limit = std::chrono::seconds(30)) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done()) {
      REQUIRE(std::chrono::steady_clock::now() < deadline);
      std::vector<pollfd> fds;
      int timeout = 50;
      for (auto& n : nodes_) {
        if (!n->running()) continue;
        uv_run(n->loop(), UV_RUN_NOWAIT);
        fds.push_back({uv_backend_fd(n->loop()), POLLIN, 0});
        if (const int t = uv_backend_timeout(n->loop()); t >= 0) timeout = std::min(timeout, t);
      }
      if (done()) break;
      poll(fds.data(), fds.size(), timeout);
    }
  }

  // The running leader, once every running node agrees on it.
  raft_node* leader() {
    raft_node* found = nullptr;
    for (auto& n : nodes_) {
      if (!n->running()) continue;
      if (raft_state(n->raw()) == RAFT_LEADER) {
        if (found) return nullptr;
        found = n.get();
      }
    }
    return found;
  }
  raft_node& wait_leader() {
    run_until([&] { return leader() != nullptr; });
    return *leader();
  }

  // Applies commands [first, first + count) through the leader, `window` in flight.
  void apply(std::uint64_t first, std::uint64_t count, std::uint64_t window = 8) {
    auto& lead = wait_leader();
    const auto base = lead.applied_callbacks();
    auto done = [&] { return lead.applied_callbacks() - base; };
    std::uint64_t next = first;
    while (done() < count) {
      while (next < first + count && (next - first) - done() < window) lead.submit(next++);
      const auto before = done();
      run_until([&] { return done() > before; });
    }
  }

  // Runs until every running node applied `count` commands.
  void wait_applied(std::size_t count) {
    run_until([&] {
      for (auto& n : nodes_)
        if (n->running() && n->fsm().applied.size() < count) return false;
      return true;
    });
  }

 private:
  std::vector<std::unique_ptr<temp_dir>> dirs_;
  std::vector<std::pair<raft_id, std::string>> servers_;
  std::vector<std::unique_ptr<raft_node>> nodes_;
};

}  // namespace raftvault::testing
