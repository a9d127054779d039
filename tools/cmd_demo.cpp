// raftvault demo: the main job end to end on a fresh directory, in well under a minute:
// a locked store; a synthetic consensus load (producers, hard states, periodic snapshots);
// a DEK rotation under that load; an unlock key rotation; a writer process killed with SIGKILL
// mid-load; a reopen that checks every acknowledged entry; verify; the commands to try next.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <map>
#include <sstream>
#include <thread>

#include "fileio/file.h"
#include "keys/unlock_key.h"
#include "tools/args.h"
#include "tools/commands.h"
#include "tools/demo_workload.h"
#include "tools/progress.h"
#include "tools/report.h"
#include "tools/table.h"

namespace raftvault::cli {
namespace {

using namespace std::chrono_literals;

struct demo_config {
  std::string dir;
  std::string key_file;
  double seconds = 3;
  std::size_t producers = 8;
};

actors::pipeline_options options_for(const demo_config& config) {
  actors::pipeline_options options;
  options.data_dir = config.dir;
  options.create_if_missing = true;
  options.autolock = true;
  options.segment_size = 4 << 20;  // several segments, released after snapshots
  options.snapshot_keep = 2;
  options.metadata = "raftvault-demo node 1";
  options.unlock_key_file = config.key_file;
  return options;
}

status write_key_file(const std::string& path, const keys::unlock_key& key) {
  RV_ASSIGN(keys::secret_bytes text, key.text());
  std::string line;
  const keys::wipe_on_exit wipe(line);  // the demo's key file is meant; stray copies are not
  line.reserve(text.size() + 1);
  line.append(text.view());
  line.push_back('\n');
  return fileio::write_file_atomic(path, line, fileio::kPrivateFileMode);
}

std::string ms(std::uint64_t us) {
  std::ostringstream out;
  out.precision(us < 10000 ? 2 : 0);
  out << std::fixed << us / 1000.0 << " ms";
  return out.str();
}

std::string rate(double value, const char* unit) {
  return thousands(static_cast<std::uint64_t>(value)) + " " + unit;
}

std::string self_path() {
  char buf[PATH_MAX];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return "raftvault";
  return std::string(buf, static_cast<std::size_t>(n));
}

std::string generations(const actors::storage_status& s) {
  std::string g;
  for (auto k : s.key_generations) g += (g.empty() ? "" : ",") + std::to_string(k);
  return "DEK generation " + std::to_string(s.sealing_generation) + " (held: " + g + "), kek-version " +
         std::to_string(s.kek_version) + ", rotation state " + s.rotation_state;
}

void print_load(const demo::load_stats& stats, const actors::storage_status& status) {
  key_value_list rows;
  rows.add("appended", thousands(stats.entries) + " entries (" + human_bytes(double(stats.bytes)) + ") in " +
                           thousands(stats.appends) + " appends over " + std::to_string(stats.seconds).substr(0, 4) + " s")
      .add("throughput", rate(stats.entries / stats.seconds, "entries/s") + ", " +
                             human_bytes(stats.bytes / stats.seconds) + "/s of payload")
      .add("latency", "p50 " + ms(demo::percentile(stats.latency_us, 0.5)) + ", p99 " +
                          ms(demo::percentile(stats.latency_us, 0.99)) + ", max " +
                          ms(stats.latency_us.empty() ? 0 : stats.latency_us.back()) +
                          "  (append sent -> reply after fdatasync)")
      .add("group commit", status.fsync_groups ? std::to_string(status.durable_appends / status.fsync_groups) +
                                                     " appends per fdatasync (" + thousands(status.fsync_groups) + " fdatasyncs)"
                                               : "-")
      .add("snapshots", std::to_string(stats.snapshots) + " periodic");
  rows.print(std::cout, "     ");
}

// Phase 2: the pipeline in this process under load; a DEK and an unlock key rotation meanwhile.
int run_first_phase(const demo_config& config, actors::storage_status& before, actors::storage_status& after,
                    std::uint64_t& last_index) {
  auto opened = actors::blocking_storage::open(options_for(config));
  if (!opened) return fail(opened.error(), config.dir);
  auto& storage = **opened;
  if (!storage.new_unlock_key()) return fail("demo: the new store has no unlock key");
  if (auto written = write_key_file(config.key_file, *storage.new_unlock_key()); !written)
    return fail(written.error(), config.dir);
  auto st = storage.status_report();
  if (!st) return fail(st.error(), config.dir);
  before = *st;
  std::cout << "1. created a locked store: cipher xchacha20poly1305, " << generations(before) << "\n"
            << "   unlock key written to " << config.key_file << " (0600)\n";

  auto state = std::make_shared<demo::service_state>();
  demo::register_provider(storage, state);
  demo::load_shape shape;
  shape.producers = config.producers;
  std::cout << "2. consensus load: " << shape.producers << " producers x " << shape.batch << " entries of "
            << shape.entry_bytes << " B per append, hard state every append, a snapshot every "
            << shape.snapshot_every_s << " s" << std::endl;
  demo::load running(storage, state, 1, shape);
  const auto phase = std::chrono::duration<double>(config.seconds / 3);
  std::this_thread::sleep_for(phase);
  auto rotation = storage.rotate_dek();
  if (!rotation) return fail("demo: DEK rotation under load failed: " + rotation.error().message());
  std::this_thread::sleep_for(phase);
  auto fresh = keys::unlock_key::generate();
  if (!fresh) return fail(fresh.error(), config.dir);
  auto text = fresh->text();
  if (!text) return fail(text.error(), config.dir);
  auto rekeyed = storage.rotate_kek(std::string(text->view()), before.kek_version + 1);
  if (!rekeyed) return fail("demo: unlock key rotation failed: " + rekeyed.error().message());
  if (auto written = write_key_file(config.key_file, *fresh); !written) return fail(written.error(), config.dir);
  std::this_thread::sleep_for(phase);
  auto stats = running.stop();
  if (!stats.failure.empty()) return fail("demo: the load failed: " + stats.failure);
  st = storage.status_report();
  if (!st) return fail(st.error(), config.dir);
  after = *st;
  last_index = st->last_index;
  print_load(stats, after);
  std::cout << "     DEK rotation under load: generation " << rotation->old_id << " -> " << rotation->new_id
            << ", last index sealed with " << rotation->old_id << ": " << rotation->last_old
            << ", forced snapshot at " << rotation->snapshot_index << ", " << ms(rotation->duration_us)
            << " while appends kept flowing\n"
            << "     unlock key rotated under load: kek-version " << before.kek_version << " -> " << after.kek_version
            << " (the new key replaced " << config.key_file << ")\n";
  if (auto closed = storage.close(); !closed) return fail(closed.error(), config.dir);
  return kExitOk;
}

// The writer child: reopens the store and runs the same load, reporting every acknowledged
// batch (first, last, term) to the parent through `ack_fd`, until it is killed.
[[noreturn]] void child_writer(const demo_config& config, int ack_fd) {
  auto opened = actors::blocking_storage::open(options_for(config));
  if (!opened) {
    std::cerr << "raftvault demo: writer could not open the store: " << opened.error().message() << std::endl;
    ::_exit(1);
  }
  auto& storage = **opened;
  auto recovered = storage.recover();
  if (!recovered) ::_exit(1);
  std::uint64_t last = recovered->snap ? recovered->snap->metadata.index : 0;
  if (!recovered->entries.empty()) last = recovered->entries.back().index;
  auto state = std::make_shared<demo::service_state>();
  state->set_term(2);
  state->proposed(last, 2);
  demo::register_provider(storage, state);
  demo::load_shape shape;
  shape.producers = config.producers;
  shape.term = 2;  // a new leader term after the restart
  demo::load running(storage, state, last + 1, shape, [ack_fd](std::uint64_t first, std::uint64_t end, std::uint64_t term) {
    const std::uint64_t msg[3] = {first, end, term};
    if (::write(ack_fd, msg, sizeof msg) != static_cast<ssize_t>(sizeof msg)) ::_exit(1);
  });
  for (;;) ::pause();
}

struct acked_batch {
  std::uint64_t last;
  std::uint64_t term;
};

// Phase 3: fork the writer, collect acknowledgements for a while, SIGKILL it.
int run_killed_writer(const demo_config& config, std::map<std::uint64_t, acked_batch>& acked, pid_t& pid_out) {
  int fds[2];
  if (::pipe(fds) != 0) return fail(std::string("demo: pipe: ") + std::strerror(errno));
  std::cout.flush();
  const pid_t pid = ::fork();
  if (pid < 0) return fail(std::string("demo: fork: ") + std::strerror(errno));
  if (pid == 0) {
    ::close(fds[0]);
    child_writer(config, fds[1]);
  }
  pid_out = pid;
  ::close(fds[1]);
  std::string buffer;
  auto drain = [&](int timeout_ms) -> bool {  // false at EOF
    pollfd p{fds[0], POLLIN, 0};
    if (::poll(&p, 1, timeout_ms) <= 0) return true;
    char chunk[4096];
    ssize_t n = ::read(fds[0], chunk, sizeof chunk);
    if (n <= 0) return false;
    buffer.append(chunk, static_cast<std::size_t>(n));
    while (buffer.size() >= 24) {
      std::uint64_t msg[3];
      std::memcpy(msg, buffer.data(), 24);
      buffer.erase(0, 24);
      acked[msg[0]] = {msg[1], msg[2]};
    }
    return true;
  };
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(config.seconds / 1.5);
  bool open = true;
  while (open && (acked.empty() || std::chrono::steady_clock::now() < deadline)) {
    open = drain(50);
    if (acked.empty() && std::chrono::steady_clock::now() > deadline + 20s) break;
  }
  ::kill(pid, SIGKILL);  // mid-load: appends are in flight right now
  while (open) open = drain(1000);
  ::close(fds[0]);
  int wstatus = 0;
  ::waitpid(pid, &wstatus, 0);
  if (!(WIFSIGNALED(wstatus) && WTERMSIG(wstatus) == SIGKILL))
    return fail("demo: the writer process ended before it was killed (status " + std::to_string(wstatus) + ")");
  if (acked.empty()) return fail("demo: the writer process acknowledged nothing");
  return kExitOk;
}

// Phase 4: reopen and check every acknowledged entry.
int check_recovery(const demo_config& config, const std::map<std::uint64_t, acked_batch>& acked,
                   actors::storage_status& final_status) {
  auto opened = actors::blocking_storage::open(options_for(config));
  if (!opened) return fail(opened.error(), config.dir);
  auto recovered = (*opened)->recover();
  if (!recovered) return fail(recovered.error(), config.dir);
  const std::uint64_t snap_index = recovered->snap ? recovered->snap->metadata.index : 0;
  std::map<std::uint64_t, const entry*> by_index;
  for (const auto& e : recovered->entries) by_index[e.index] = &e;
  std::uint64_t checked = 0, in_snapshot = 0, lost = 0, highest = 0;
  std::string first_loss;
  for (const auto& [first, batch] : acked) {
    for (std::uint64_t i = first; i <= batch.last; ++i) {
      highest = std::max(highest, i);
      if (i <= snap_index) {
        ++in_snapshot;
        continue;
      }
      auto it = by_index.find(i);
      if (it == by_index.end() || it->second->term != batch.term ||
          it->second->data != demo::entry_payload(i, batch.term, 256)) {
        if (first_loss.empty()) first_loss = "index " + std::to_string(i);
        ++lost;
        continue;
      }
      ++checked;
    }
  }
  if (recovered->snap && recovered->snap->data != demo::snapshot_payload(snap_index)) {
    return fail("demo: the recovered snapshot at " + std::to_string(snap_index) + " has the wrong contents");
  }
  const std::uint64_t last = recovered->entries.empty() ? snap_index : recovered->entries.back().index;
  std::cout << "4. reopened after the crash (the WAL's torn tail, if any, repaired):\n";
  key_value_list rows;
  rows.add("recovered", "snapshot at index " + std::to_string(snap_index) + " + " +
                            thousands(recovered->entries.size()) + " entries (through index " + std::to_string(last) +
                            "), hard state term " + std::to_string(recovered->state.term) + " commit " +
                            std::to_string(recovered->state.commit))
      .add("acknowledged", thousands(checked + in_snapshot + lost) + " entries acknowledged to the killed writer (through index " +
                               std::to_string(highest) + ")")
      .add("checked", thousands(checked) + " byte for byte in the log, " + thousands(in_snapshot) +
                          " covered by the snapshot, " + std::to_string(lost) + " lost")
      .add("unacknowledged", thousands(last > highest ? last - highest : 0) +
                                 " more entries were durable but not yet acknowledged when the process died");
  rows.print(std::cout, "     ");
  auto st = (*opened)->status_report();
  if (!st) return fail(st.error(), config.dir);
  final_status = *st;
  if (auto closed = (*opened)->close(); !closed) return fail(closed.error(), config.dir);
  if (lost != 0) return fail("demo: " + std::to_string(lost) + " acknowledged entries were lost, first " + first_loss);
  return kExitOk;
}

result<std::string> make_demo_dir(const std::string& requested) {
  if (!requested.empty()) {
    if (fileio::exists(requested)) {
      auto empty = fileio::is_empty_dir(requested);
      if (!empty) return empty.error().with_context("--data-dir " + requested);
      if (!*empty)
        return error(errc::already_exists, "--data-dir " + requested + " exists and is not empty: the demo needs a fresh directory");
    }
    RV_TRY(fileio::make_dir(requested));
    return requested;
  }
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp && *tmp ? tmp : "/var/tmp") + "/raftvault-demo-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) return io_error("mkdtemp", pattern, errno);
  return pattern;
}

}  // namespace

int cmd_demo(int argc, char** argv) {
  const command_spec spec{
      "demo", "", 0, "Run the end-to-end demo on a fresh directory (kept for you to inspect).",
      "Creates a locked store, runs a synthetic consensus load with snapshots, rotates the data\n"
      "key under load and the unlock key, kills a writer process with SIGKILL mid-load, reopens\n"
      "and checks every acknowledged entry, verifies, and prints what to type next.",
      {{"data-dir", "DIR", "where to create the store (default: a new $TMPDIR/raftvault-demo-XXXXXX)"},
       {"seconds", "N", "seconds of load in the first phase (default 3; the writer runs N/1.5)"},
       {"producers", "N", "concurrent producer threads (default 8)"}}};
  parsed_args args;
  if (auto code = parse_args(spec, argc, argv, args)) return *code;
  demo_config config;
  int code = kExitOk;
  if (args.has("seconds")) {
    auto n = parse_index(spec, "seconds", args.value("seconds"), code);
    if (!n) return code;
    if (*n < 1 || *n > 600) return usage_error(spec, "--seconds must be between 1 and 600");
    config.seconds = static_cast<double>(*n);
  }
  if (args.has("producers")) {
    auto n = parse_index(spec, "producers", args.value("producers"), code);
    if (!n) return code;
    if (*n < 1 || *n > 256) return usage_error(spec, "--producers must be between 1 and 256");
    config.producers = *n;
  }
  auto dir = make_demo_dir(args.value("data-dir"));
  if (!dir) return fail(dir.error(), args.value("data-dir"));
  config.dir = std::filesystem::absolute(*dir).string();
  config.key_file = config.dir + "/unlock.key";
  const auto start = std::chrono::steady_clock::now();
  std::cout << "raftvault demo: encrypted raft storage under a synthetic consensus load\n"
            << "   store " << config.dir << " (kept)\n";

  actors::storage_status before, after_first, final_status;
  std::uint64_t last_index = 0;
  if (int rc = run_first_phase(config, before, after_first, last_index); rc != kExitOk) return rc;

  std::map<std::uint64_t, acked_batch> acked;
  pid_t pid = 0;
  std::cout << "3. writer process: reopens the store, appends under the same load (term 2), reports every\n"
            << "   acknowledged append to this process through a pipe ..." << std::flush;
  if (int rc = run_killed_writer(config, acked, pid); rc != kExitOk) return rc;
  std::cout << " killed pid " << pid << " with SIGKILL mid-load\n";
  if (int rc = check_recovery(config, acked, final_status); rc != kExitOk) return rc;

  std::cout << "5. raftvault verify --data-dir " << config.dir << " --unlock-key-file " << config.key_file << "\n";
  std::cout.flush();
  std::string a0 = "--data-dir", a1 = config.dir, a2 = "--unlock-key-file", a3 = config.key_file;
  char* verify_args[] = {a0.data(), a1.data(), a2.data(), a3.data()};
  if (int rc = cmd_verify(4, verify_args); rc != kExitOk) return rc;

  const double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << "\nkey generations  before: " << generations(before) << "\n"
            << "                 after:  " << generations(final_status) << "\n"
            << "done in " << std::to_string(total).substr(0, 4) << " s. Next, try:\n";
  const std::string bin = self_path();
  const std::string flags = " --data-dir " + config.dir + " --unlock-key-file " + config.key_file;
  std::cout << "  " << bin << " status" << flags << "\n"
            << "  " << bin << " dump" << flags << " --from " << (final_status.last_index > 5 ? final_status.last_index - 5 : 0) << "\n"
            << "  " << bin << " verify" << flags << "\n"
            << "  RAFTVAULT_UNLOCK_KEY=$(cat " << config.key_file << ") " << bin << " dump --json --data-dir " << config.dir << "\n";
  return kExitOk;
}

}  // namespace raftvault::cli
