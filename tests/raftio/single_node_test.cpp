// canonical raft on one raftvault node: bootstrap, commands applied, a restart that applies
// each command exactly once (from the snapshot and the entries after it), and a bootstrap over
// existing state refused.
#include "raft_node.h"

using namespace raftvault;
using namespace raftvault::testing;

namespace {

std::vector<std::uint64_t> sequence(std::uint64_t first, std::uint64_t count) {
  std::vector<std::uint64_t> out;
  for (std::uint64_t i = 0; i < count; ++i) out.push_back(first + i);
  return out;
}

}  // namespace

TEST_CASE("raft on raftvault: one node applies every command exactly once across restarts", "[raftio]") {
  temp_dir dir;
  auto small_snapshots = [](raft* r) {
    raft_set_snapshot_threshold(r, 32);
    raft_set_snapshot_trailing(r, 8);
  };
  {
    raft_node node(dir, 1, "127.0.0.1:19101");
    node.start(true, small_snapshots);
    REQUIRE(node.bootstrap_result() == 0);
    node.wait_leader();
    node.apply(1, 100);
    CHECK(node.fsm().applied == sequence(1, 100));
    // raft took snapshots through raftvault's snapshot path and released the WAL behind them.
    // (raft's snapshot_put completes on the loop: run it until the first one is durable.)
    node.run_until([&] { return node.storage_status().snapshot_index >= 32; });
    const auto st = node.storage_status();
    CHECK(st.last_index == 101);  // the bootstrap configuration, then the commands
    CHECK(st.state.commit >= 100);  // the applied index when the last entry was written
    node.stop();
  }
  {
    raft_node node(dir, 1, "127.0.0.1:19101");
    node.start(false, small_snapshots);
    node.wait_leader();
    // The restart restores the snapshot and re-applies the committed entries after it.
    node.run_until([&] { return node.fsm().applied.size() >= 100; });
    node.apply(101, 50);
    CHECK(node.fsm().applied == sequence(1, 150));
    node.stop();
  }
}

TEST_CASE("raft on raftvault: bootstrap over existing state is refused", "[raftio]") {
  temp_dir dir;
  {
    raft_node node(dir, 1, "127.0.0.1:19102");
    node.start(true);
    REQUIRE(node.bootstrap_result() == 0);
    node.wait_leader();
    node.stop();
  }
  raft_node node(dir, 1, "127.0.0.1:19102");
  node.start(true);
  CHECK(node.bootstrap_result() == RAFT_CANTBOOTSTRAP);
  node.wait_leader();
  node.stop();
}
