// Three canonical raft nodes, each on its own encrypted raftvault store: they elect a leader and
// replicate, and no command reaches any of their disks in plaintext; a follower stopped while the others go on catches up when it restarts, from
// entries or (past the leader's trailing entries) from a snapshot installed through raftvault.
#include "raft_cluster.h"

using namespace raftvault;
using namespace raftvault::testing;

namespace {

// Commands carry a marker in their high bytes, so plaintext of one is easy to find on disk.
constexpr std::uint64_t kMarked = 0xC0FFEE5A00000000ull;

std::vector<std::uint64_t> sequence(std::uint64_t first, std::uint64_t count) {
  std::vector<std::uint64_t> out;
  for (std::uint64_t i = 0; i < count; ++i) out.push_back(kMarked + first + i);
  return out;
}

// Every file under `dir` that holds the marker's bytes as a command's plaintext has them.
std::vector<std::string> files_with_plaintext(const std::string& dir) {
  const std::uint64_t marker = kMarked >> 32;
  const std::string needle(reinterpret_cast<const char*>(&marker), 4);
  std::vector<std::string> found;
  for (const auto& f : std::filesystem::recursive_directory_iterator(dir)) {
    if (!f.is_regular_file()) continue;
    if (read_bytes(f.path().string()).find(needle) != std::string::npos) found.push_back(f.path().string());
  }
  return found;
}

void small_snapshots(raft* r) {
  raft_set_snapshot_threshold(r, 16);
  raft_set_snapshot_trailing(r, 4);
}

}  // namespace

TEST_CASE("raft on raftvault: a 3-node cluster replicates, and a restarted follower catches up", "[raftio][cluster]") {
  raft_cluster cluster(3, 19201);
  for (std::size_t i = 0; i < 3; ++i) cluster.start(i, true, small_snapshots);
  cluster.apply(kMarked + 1, 40);
  cluster.wait_applied(40);
  for (std::size_t i = 0; i < 3; ++i) CHECK(cluster.node(i).fsm().applied == sequence(1, 40));

  // Stop a follower; the other two are a quorum and go on past the leader's trailing entries.
  auto& leader = cluster.wait_leader();
  std::size_t follower = 0;
  while (&cluster.node(follower) == &leader) ++follower;
  cluster.node(follower).stop();
  cluster.apply(kMarked + 41, 60);
  cluster.start(follower, false, small_snapshots);
  cluster.wait_applied(100);
  for (std::size_t i = 0; i < 3; ++i) {
    INFO("node " << i + 1);
    CHECK(cluster.node(i).fsm().applied == sequence(1, 100));
  }
  for (std::size_t i = 0; i < 3; ++i) cluster.node(i).stop();
  // Entries, snapshots and raft_uv's scratch directory: no command's plaintext anywhere.
  for (std::size_t i = 0; i < 3; ++i) CHECK(files_with_plaintext(cluster.dir(i)).empty());
}
