// Three canonical raft nodes, each on its own encrypted raftvault store: they elect a leader and
// replicate; a follower stopped while the others go on catches up when it restarts, from
// entries or (past the leader's trailing entries) from a snapshot installed through raftvault.
#include "raft_cluster.h"

using namespace raftvault;
using namespace raftvault::testing;

namespace {

std::vector<std::uint64_t> sequence(std::uint64_t first, std::uint64_t count) {
  std::vector<std::uint64_t> out;
  for (std::uint64_t i = 0; i < count; ++i) out.push_back(first + i);
  return out;
}

void small_snapshots(raft* r) {
  raft_set_snapshot_threshold(r, 16);
  raft_set_snapshot_trailing(r, 4);
}

}  // namespace

TEST_CASE("raft on raftvault: a 3-node cluster replicates, and a restarted follower catches up", "[raftio][cluster]") {
  raft_cluster cluster(3, 19201);
  for (std::size_t i = 0; i < 3; ++i) cluster.start(i, true, small_snapshots);
  cluster.apply(1, 40);
  cluster.wait_applied(40);
  for (std::size_t i = 0; i < 3; ++i) CHECK(cluster.node(i).fsm().applied == sequence(1, 40));

  // Stop a follower; the other two are a quorum and go on past the leader's trailing entries.
  auto& leader = cluster.wait_leader();
  std::size_t follower = 0;
  while (&cluster.node(follower) == &leader) ++follower;
  cluster.node(follower).stop();
  cluster.apply(41, 60);
  cluster.start(follower, false, small_snapshots);
  cluster.wait_applied(100);
  for (std::size_t i = 0; i < 3; ++i) {
    INFO("node " << i + 1);
    CHECK(cluster.node(i).fsm().applied == sequence(1, 100));
  }
  for (std::size_t i = 0; i < 3; ++i) cluster.node(i).stop();
}
