// Crash tests of the pipeline (docs/design.md, "DEK rotation protocol": a crash between any two
// steps loses no acknowledged entry): a forked child runs the pipeline under a producer load,
// reports every ACKNOWLEDGED entry to the parent through a pipe, and dies during a DEK rotation —
// at a named crash point (_exit) or by the parent's SIGKILL after a seeded number of
// acknowledgements. The parent reopens and checks that every acknowledged entry reads back (entries
// after the snapshot, the snapshot's content for the rest), that the unfinished rotation completes,
// and that afterwards the key file holds one DEK which is the only one any retained file needs.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <random>

#include "actors/pipeline.h"
#include "codec/cipher.h"
#include "fileio/crash_point.h"
#include "keys/key_store.h"
#include "producer_load.h"
#include "raftlog/encrypted_log.h"
#include "raftlog/snapshotter.h"
#include "service_model.h"
#include "support/test_support.h"

using namespace raftvault;
using namespace raftvault::actors;
using raftvault::testing::ack_counter;
using raftvault::testing::make_entries;
using raftvault::testing::producer_load;
using raftvault::testing::temp_dir;
using raftvault::testing::test_store_options;

namespace {

constexpr std::size_t kEntryBytes = 160;

// What the child tells the parent about one acknowledged entry; also the unit of the test
// service's snapshot content. 24 bytes: a batch's records go in one write (< PIPE_BUF, atomic).
struct entry_digest {
  std::uint64_t index = 0;
  std::uint64_t term = 0;
  std::uint64_t data_hash = 0;  // FNV-1a 64 of the entry's data
  bool operator==(const entry_digest& o) const {
    return index == o.index && term == o.term && data_hash == o.data_hash;
  }
};

std::uint64_t fnv1a(const std::string& bytes) {
  std::uint64_t h = 14695981039346656037ull;
  for (unsigned char c : bytes) h = (h ^ c) * 1099511628211ull;
  return h;
}

entry_digest digest_of(const entry& e) { return {e.index, e.term, fnv1a(e.data)}; }

// The service's state machine as the snapshot provider sees it: every proposed entry in log
// order. A snapshot at index N carries the digests of entries 1..N, so the parent can check
// that an acknowledged entry the WAL no longer holds is really covered by the snapshot.
class content_model {
 public:
  void add(const entry_digest& d) {
    std::lock_guard<std::mutex> guard(mutex_);
    entries_[d.index] = d;
  }
  std::optional<snapshot> snapshot_at(std::uint64_t index) const {
    std::lock_guard<std::mutex> guard(mutex_);
    auto it = entries_.find(index);
    if (it == entries_.end()) return std::nullopt;
    snapshot s;
    s.metadata.index = index;
    s.metadata.term = it->second.term;
    s.metadata.conf.voters = {1};
    for (const auto& [i, d] : entries_) {
      if (i > index) break;
      s.data.append(reinterpret_cast<const char*>(&d), sizeof d);
    }
    return s;
  }

 private:
  mutable std::mutex mutex_;
  std::map<std::uint64_t, entry_digest> entries_;
};

std::map<std::uint64_t, entry_digest> parse_content(const std::string& data) {
  std::map<std::uint64_t, entry_digest> out;
  REQUIRE(data.size() % sizeof(entry_digest) == 0);
  for (std::size_t at = 0; at < data.size(); at += sizeof(entry_digest)) {
    entry_digest d;
    std::memcpy(&d, data.data() + at, sizeof d);
    out[d.index] = d;
  }
  return out;
}

snapshot_provider_actor::behavior_type content_provider(std::shared_ptr<content_model> model) {
  return {
      [model](take_snap_atom, std::uint64_t min_index) -> caf::result<snapshot> {
        auto snap = model->snapshot_at(min_index);
        if (!snap)
          return to_caf(error(errc::invalid_argument,
                              "test provider: nothing applied at " + std::to_string(min_index)));
        return *snap;
      },
  };
}

// A segment cut every ~250 entries; only rotate_dek() resumes a rotation.
pipeline_options options_for(const temp_dir& dir) { return test_store_options(dir, 64 << 10); }

// How the child dies.
struct crash_plan {
  std::string point;  // armed after the warm-up rotation; empty: the parent kills it
  int nth = 1;
  std::size_t kill_after = 0;  // acknowledged entries before SIGKILL
};

// Exit codes of a child that did not die as planned.
enum child_exit : int {
  kOpenFailed = 10,
  kLoadFailed = 11,
  kRotationFailed = 12,
  kPointNotReached = 13,
};

bool write_all(int fd, const void* data, std::size_t size) {
  const char* p = static_cast<const char*>(data);
  while (size > 0) {
    auto n = ::write(fd, p, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    p += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

// The child: never returns (no Catch2 here, no destructors: it _exits with a code).
[[noreturn]] void run_child(const pipeline_options& options, const crash_plan& plan, int ack_fd) {
  auto opened = blocking_storage::open(options);
  if (!opened) _exit(kOpenFailed);
  auto& store = **opened;
  auto model = std::make_shared<content_model>();
  store.register_snapshot_provider(store.system().spawn(content_provider, model));
  ack_counter acks;
  producer_load load(
      store.system(), store.handle(), 1, {4, 4, kEntryBytes, 1},
      [&](const std::vector<entry>& batch) {
        std::vector<entry_digest> records;
        for (const auto& e : batch) records.push_back(digest_of(e));
        if (!write_all(ack_fd, records.data(), records.size() * sizeof(entry_digest))) _exit(kLoadFailed);
        acks.add(batch.size());
      },
      [&](const std::vector<entry>&, const raftvault::error&) { acks.give_up(); },
      [&](const std::vector<entry>& batch) {
        for (const auto& e : batch) model->add(digest_of(e));
      });
  // A first rotation, so the crash happens with a previous snapshot and key generation around.
  if (!acks.wait_for(200)) _exit(kLoadFailed);
  if (!store.rotate_dek()) _exit(kRotationFailed);
  if (!plan.point.empty()) fileio::arm_crash_point(plan.point, plan.nth);
  std::size_t target = 400;
  for (int rotation = 0; rotation < 200; ++rotation) {
    if (!acks.wait_for(target)) _exit(kLoadFailed);
    if (!store.rotate_dek()) _exit(kRotationFailed);
    target += 100;
  }
  _exit(kPointNotReached);
}

struct child_run {
  std::map<std::uint64_t, entry_digest> acked;
  int wait_status = 0;
};

// Forks the child, collects its acknowledgements until it is dead.
child_run run_and_crash(const pipeline_options& options, const crash_plan& plan) {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::close(fds[0]);
    run_child(options, plan, fds[1]);
  }
  ::close(fds[1]);
  child_run out;
  bool killed = false;
  entry_digest d;
  std::size_t have = 0;
  for (;;) {
    auto n = ::read(fds[0], reinterpret_cast<char*>(&d) + have, sizeof d - have);
    if (n < 0 && errno == EINTR) continue;
    REQUIRE(n >= 0);
    if (n == 0) break;  // the child is gone
    have += static_cast<std::size_t>(n);
    if (have < sizeof d) continue;
    have = 0;
    out.acked[d.index] = d;
    if (plan.point.empty() && !killed && out.acked.size() >= plan.kill_after) {
      REQUIRE(::kill(pid, SIGKILL) == 0);
      killed = true;  // what is still in the pipe was acknowledged before the kill
    }
  }
  ::close(fds[0]);
  REQUIRE(::waitpid(pid, &out.wait_status, 0) == pid);
  return out;
}

// Every acknowledged entry is in the recovered entries (identical) or covered by the snapshot.
void check_acknowledged(const recovered_state& recovered,
                        const std::map<std::uint64_t, entry_digest>& acked) {
  std::map<std::uint64_t, entry_digest> covered;
  std::uint64_t snap_index = 0;
  if (recovered.snap) {
    snap_index = recovered.snap->metadata.index;
    covered = parse_content(recovered.snap->data);
    REQUIRE(covered.size() == snap_index);  // the content covers 1..index, nothing else
  }
  std::map<std::uint64_t, const entry*> entries;
  std::uint64_t expect = snap_index + 1;
  for (const auto& e : recovered.entries) {
    REQUIRE(e.index == expect++);  // contiguous after the snapshot
    entries[e.index] = &e;
  }
  std::size_t in_snapshot = 0;
  for (const auto& [index, d] : acked) {
    INFO("acknowledged index " << index << " (snapshot at " << snap_index << ")");
    if (index <= snap_index) {
      REQUIRE(covered.count(index) == 1);
      CHECK(covered[index] == d);
      ++in_snapshot;
      continue;
    }
    auto it = entries.find(index);
    REQUIRE(it != entries.end());
    CHECK(*it->second == make_entries(index, 1, d.term, kEntryBytes).front());
    CHECK(digest_of(*it->second) == d);
  }
  if (recovered.snap) CHECK(in_snapshot > 0);
}

// Key generations of the key file, read without keeping its lock.
keys::key_status key_file_status(const std::string& data_dir, std::size_t* held = nullptr) {
  auto store = keys::key_store::open(data_dir + "/keys");
  INFO((store ? std::string() : store.error().describe()));
  REQUIRE(store);
  if (held) *held = store->key_set().size();
  return store->status();
}

// Reopens, checks every acknowledged entry, completes the rotation, checks the keys and files.
void recover_and_finish(const pipeline_options& options, const child_run& run, bool warmed_up) {
  const auto before = key_file_status(options.data_dir);
  INFO("key state after the crash: " << to_string(before.state) << ", current "
                                     << before.current_generation);
  // The child armed its crash point after a first full rotation (a SIGKILL may come earlier).
  if (warmed_up) CHECK(before.current_generation >= 2);
  auto opened = blocking_storage::open(options);
  INFO((opened ? std::string() : opened.error().describe()));
  REQUIRE(opened);
  auto& store = **opened;
  auto recovered = store.recover();
  REQUIRE(recovered);
  if (warmed_up) REQUIRE(recovered->snap);
  check_acknowledged(*recovered, run.acked);

  // The service resumes: its state machine is the snapshot plus the recovered entries.
  auto model = std::make_shared<content_model>();
  if (recovered->snap)
    for (const auto& [i, d] : parse_content(recovered->snap->data)) model->add(d);
  for (const auto& e : recovered->entries) model->add(digest_of(e));
  store.register_snapshot_provider(store.system().spawn(content_provider, model));
  REQUIRE((recovered->snap || !recovered->entries.empty()));
  std::uint64_t last = recovered->entries.empty() ? recovered->snap->metadata.index
                                                  : recovered->entries.back().index;
  auto acked = run.acked;
  auto append_more = [&] {
    auto more = make_entries(last + 1, 8, 1, kEntryBytes);
    for (const auto& e : more) model->add(digest_of(e));
    auto appended = store.append({1, 1, last}, more);
    INFO((appended ? std::string() : appended.error().describe()));
    REQUIRE(appended);
    for (const auto& e : more) acked[e.index] = digest_of(e);
    last += more.size();
  };
  append_more();

  // Resumes the pending or requested rotation. If start-up resumed it already, this request
  // is the next rotation, whose forced snapshot must pass the one just written: the service
  // applies more entries and asks again, as a real one would.
  auto report = store.rotate_dek();
  for (int attempt = 0; attempt < 2 && !report &&
                        report.error().message().find("nothing applied") != std::string::npos;
       ++attempt) {
    append_more();
    report = store.rotate_dek();
  }
  INFO((report ? std::string() : report.error().describe()));
  REQUIRE(report);
  const auto first_done = before.pending_generation ? *before.pending_generation
                          : before.needs_rotation   ? before.current_generation + 1
                                                    : before.current_generation;
  CHECK(report->new_id >= first_done);
  auto status = store.status_report();
  REQUIRE(status);
  CHECK(status->rotation_state == "{C}");
  CHECK(status->key_generations == std::vector<std::uint32_t>{report->new_id});
  REQUIRE(store.close());
  opened->reset();

  std::size_t held = 0;
  const auto after = key_file_status(options.data_dir, &held);
  CHECK(held == 1);
  CHECK(after.state == keys::rotation_state::steady);
  CHECK(after.current_generation == report->new_id);
  auto in_use = raftlog::key_generations_in_use(options.data_dir);
  REQUIRE(in_use);
  CHECK(*in_use == std::vector<std::uint32_t>{after.current_generation});
  // No snapshot file left behind that only a retired key opens.
  raftlog::snapshotter snaps(options.data_dir + "/snap-v3-encrypted");
  auto names = snaps.list();
  REQUIRE(names);
  for (const auto& name : *names) {
    auto stored = snaps.load_file(name);
    REQUIRE(stored);
    auto header = codec::inspect_record(stored->data);
    REQUIRE(header);
    INFO(name);
    CHECK(header->key_id == after.current_generation);
  }

  // And a last restart still reads every acknowledged entry.
  auto final_open = blocking_storage::open(options);
  REQUIRE(final_open);
  auto final_state = (*final_open)->recover();
  REQUIRE(final_state);
  check_acknowledged(*final_state, acked);
}

std::string describe_wait(int status) {
  if (WIFEXITED(status)) return "exited with " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return "killed by signal " + std::to_string(WTERMSIG(status));
  return "status " + std::to_string(status);
}

}  // namespace

TEST_CASE("crash: a child dying at each step of a DEK rotation under load loses nothing acknowledged",
          "[actors][crash][rotation]") {
  // The rotator's own steps, and file-level points inside them and in the WAL under load.
  const std::vector<crash_plan> plans = {
      {"rotation.after_request"},
      {"rotation.after_prepare"},
      {"rotation.after_drain"},
      {"snapshot.before_rename"},
      {"snapshot.after_rename"},
      {"wal.save.after_write"},  // the forced snapshot's covering hard state
      {"rotation.after_snapshot"},
      {"keys.persist.before_replace", 3},  // the retire's key-file replace (request, prepare, retire)
      {"rotation.after_retire_persisted"},
      {"rotation.after_old_files_deleted"},
      {"wal.cut.after_old_sync", 2},
      {"wal.cut.after_new_write", 2},
      {"wal.cut.after_rename", 2},
  };
  for (const auto& plan : plans) {
    DYNAMIC_SECTION(plan.point << ":" << plan.nth) {
      temp_dir dir;
      const auto options = options_for(dir);
      auto run = run_and_crash(options, plan);
      INFO("child " << describe_wait(run.wait_status) << " after " << run.acked.size()
                    << " acknowledged entries");
      REQUIRE(WIFEXITED(run.wait_status));
      REQUIRE(WEXITSTATUS(run.wait_status) == fileio::kCrashExitCode);
      REQUIRE(run.acked.size() >= 200);
      recover_and_finish(options, run, /*warmed_up=*/true);
    }
  }
}

TEST_CASE("crash: SIGKILL at seeded random moments of back-to-back rotations loses nothing acknowledged",
          "[actors][crash][rotation]") {
  std::mt19937 random(0x5eed1);
  std::uniform_int_distribution<std::size_t> after(250, 1200);
  for (int run_number = 0; run_number < 4; ++run_number) {
    crash_plan plan;
    plan.kill_after = after(random);
    DYNAMIC_SECTION("kill after " << plan.kill_after << " acknowledged entries") {
      temp_dir dir;
      const auto options = options_for(dir);
      auto run = run_and_crash(options, plan);
      INFO("child " << describe_wait(run.wait_status) << " after " << run.acked.size()
                    << " acknowledged entries");
      REQUIRE(WIFSIGNALED(run.wait_status));
      REQUIRE(WTERMSIG(run.wait_status) == SIGKILL);
      REQUIRE(run.acked.size() >= plan.kill_after);
      recover_and_finish(options, run, /*warmed_up=*/false);
    }
  }
}
