// raftvault demo: the main job end to end on a fresh directory, in well under a minute:
// a locked store; a synthetic consensus load (producers, hard states, periodic snapshots);
// a DEK rotation under that load; an unlock key rotation; a writer process killed with SIGKILL
// mid-load; a reopen that checks every acknowledged entry; verify; the commands to try next.
//
// The phases live in demo_load_phase.cpp, demo_killed_writer.cpp and demo_recovery.cpp
// (demo_phases.h), what they print in demo_report.cpp, the synthetic service in demo_workload.cpp.
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "fileio/file.h"
#include "tools/args.h"
#include "tools/commands.h"
#include "tools/demo_phases.h"
#include "tools/demo_report.h"
#include "tools/report.h"

namespace raftvault::cli {

actors::pipeline_options demo::options_for(const demo_config& config) {
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

namespace {

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
  demo::demo_config config;
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
  if (int rc = demo::run_first_phase(config, before, after_first, last_index); rc != kExitOk) return rc;

  demo::acked_batches acked;
  pid_t pid = 0;
  std::cout << "3. writer process: reopens the store, appends under the same load (term 2), reports every\n"
            << "   acknowledged append to this process through a pipe ..." << std::flush;
  if (int rc = demo::run_killed_writer(config, acked, pid); rc != kExitOk) return rc;
  std::cout << " killed pid " << pid << " with SIGKILL mid-load\n";
  if (int rc = demo::check_recovery(config, acked, final_status); rc != kExitOk) return rc;

  std::cout << "5. raftvault verify --data-dir " << config.dir << " --unlock-key-file " << config.key_file << "\n";
  std::cout.flush();
  std::string a0 = "--data-dir", a1 = config.dir, a2 = "--unlock-key-file", a3 = config.key_file;
  char* verify_args[] = {a0.data(), a1.data(), a2.data(), a3.data()};
  if (int rc = cmd_verify(4, verify_args); rc != kExitOk) return rc;

  const double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  demo::print_summary(config, before, final_status, total);
  return kExitOk;
}

}  // namespace raftvault::cli
