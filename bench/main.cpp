// raftvault-bench: the load harness behind every performance claim (bench/README.md).
// Exit codes: 0 success, 1 the run failed, 2 usage error (message names the option).
#include <cstdio>
#include <string>
#include <vector>

#include "actors/versions.h"
#include "bench/benches.h"
#include "bench/options.h"
#include "fileio/standard_fds.h"

namespace {

const char* kUsage =
    "usage:\n"
    "  raftvault-bench --version\n"
    "  raftvault-bench wal --entries N --size S --batch B [--no-sync] [--segment-size BYTES]\n"
    "                      [--cipher none|secretbox|xchacha20poly1305] [--direct-io]\n"
    "                      [--data-dir DIR [--keep]] [--json]\n"
    "      The WAL engine alone: N entries of S bytes, B entries per save, each save with a\n"
    "      hard state; fdatasync per save unless --no-sync (then none at all, cuts included,\n"
    "      as etcd's --unsafe-no-fsync). Defaults: N 100000, S 128, B 256,\n"
    "      segment size 64000000, cipher none. With another cipher the same load also runs\n"
    "      through the encrypted log (random 32-byte DEK) into DIR/wal-v3-encrypted and\n"
    "      DIR/snap-v3-encrypted, and the sealing cost is reported beside the plaintext run.\n"
    "      Writes DIR/wal-v3 and DIR/snap-v3 (default DIR: a temp dir under /var/tmp);\n"
    "      everything the run created is removed at the end unless --keep. --direct-io writes\n"
    "      the segments with O_DIRECT (wal_options::direct_io, the pipeline's default).\n"
    "  raftvault-bench raw --size S --count N [--direct] [--data-dir DIR] [--json]\n"
    "      The disk itself: N blocks of S bytes written sequentially to a preallocated file,\n"
    "      fdatasync after each (--direct: with O_DIRECT). Defaults: S 1MiB, N 256.\n"
    "  raftvault-bench pipeline --producers N --size S [--batch B] [--duration SECONDS]\n"
    "                      [--cipher none|secretbox|xchacha20poly1305] [--rotate-at SECONDS]\n"
    "                      [--rotations N] [--snapshot-size BYTES] [--segment-size BYTES]\n"
    "                      [--alternate-plaintext [--slice SECONDS]] [--caf KEY=VALUE]\n"
    "                      [--rotate-every SECONDS] [--data-dir DIR [--keep | --reopen]]\n"
    "                      [--ack-log FILE] [--no-raw-disk] [--rate R] [--snapshot-every T]\n"
    "                      [--json [FILE]] [--csv FILE]\n"
    "      The actor pipeline: N closed-loop producers each appending B entries of S bytes\n"
    "      per request and waiting for the durable reply (fdatasync on), for SECONDS (the\n"
    "      first 20%, at most 0.5 s, are warm-up). The disk's own write + fdatasync of one\n"
    "      append's WAL bytes is measured before and after, in the same directory.\n"
    "      --rotate-at T requests a DEK rotation T seconds in and reports its duration and\n"
    "      the throughput during it vs before it; --rotations N runs N, 250 ms apart, and\n"
    "      sums their windows; --rotate-every T puts T seconds between one rotation's end\n"
    "      and the next request (default 0.25; alone: rotations from T on, as many as fit).\n"
    "      --reopen appends to the store already in DIR after its last index (and keeps it).\n"
    "      --ack-log FILE appends each acknowledged append's last durable index to FILE, one\n"
    "      decimal line per reply, with one write(2) before the next append is sent.\n"
    "      --no-raw-disk skips the disk measurement. --alternate-plaintext runs the same load against an\n"
    "      encrypted and a plaintext store in one process, in turns of --slice seconds\n"
    "      (default 0.4; order E P P E ...), and reports the encrypted / plaintext ratio.\n"
    "      --caf sets a CAF option over raftvault's\n"
    "      defaults. Defaults: N 1, S 256, B 1, SECONDS 3, cipher xchacha20poly1305,\n"
    "      snapshot 64KiB.\n"
    "      --rate R: open loop instead, R appends/s at fixed times sent by the N producers\n"
    "      (latency from each scheduled time; at most max-inflight-bytes outstanding);\n"
    "      peak RSS is checked against max-inflight-bytes + 64 MiB. --snapshot-every T\n"
    "      requests a snapshot every T seconds. --csv FILE writes a 100 ms time series.\n"
    "  raftvault-bench rotation [pipeline options]\n"
    "      pipeline with --producers 64 --duration 5.5 --rotate-at 1 --rotations 12 first.\n"
    "  raftvault-bench ceiling [--block BYTES] [--seal-size BYTES] [--duration SECONDS]\n"
    "                      [--data-dir DIR] [--json [FILE]]\n"
    "      What bounds the rest, now: durable-write latency in five ways (write+fdatasync,\n"
    "      O_DIRECT+fdatasync, O_DSYNC, RWF_DSYNC, O_DIRECT+RWF_DSYNC), sequential write\n"
    "      bandwidth, seal/open per core per cipher, CRC-32C. Defaults: 4KiB, 4KiB, 0.5 s each.\n"
    "  raftvault-bench recovery [--store-size BYTES] [--size S] [--cipher C] [--no-cold]\n"
    "                      [--data-dir DIR] [--json [FILE]]\n"
    "      Writes an encrypted store (default 1GiB of 4KiB entries), then times a restart\n"
    "      (open + read all) warm and cold (cold drops the page cache: root only).\n"
    "  raftvault-bench all [--duration SECONDS] [--store-size BYTES] [--quick]\n"
    "                      [--data-dir DIR] [--json [FILE]] [--csv FILE]\n"
    "      ceiling, wal, pipeline (1 and 64 producers), overload, rotation, recovery in one\n"
    "      process, then every target with its ratio. --quick: a smoke run of seconds.\n"
    "  raftvault-bench raft: reserved for the raft engine's bench (not built yet).\n"
    "Sizes take B, KiB, MiB, GiB (also k, M, G); times are seconds (2.5, 2.5s) or 300ms.\n"
    "--json prints one JSON object on stdout; --json FILE writes it to FILE beside the table.\n";

int usage_error(const std::string& command, const std::string& message) {
  std::fprintf(stderr, "raftvault-bench%s: %s\n%s", command.empty() ? "" : (" " + command).c_str(),
               message.c_str(), kUsage);
  return 2;
}

// Runs a subcommand whose options parsed, else the usage error.
template <class Options>
int dispatch(const std::string& command, raftvault::result<Options> options,
             int (*run)(const Options&)) {
  if (!options) return usage_error(command, options.error().message());
  return run(*options);
}

// The subcommand's exit code.
int run(int argc, char** argv) {
  using namespace raftvault::bench;
  if (argc < 2) return usage_error("", "missing subcommand (wal, raw, pipeline, rotation, ceiling, recovery or all)");
  const std::string command = argv[1];
  const std::vector<std::string> args(argv + 2, argv + argc);
  auto wants_help = [&] {
    for (const auto& a : args)
      if (a == "-h" || a == "--help") return true;
    return false;
  };
  if (command == "-h" || command == "--help" || command == "help" || wants_help()) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (command == "--version" || command == "version") {
    std::fputs(raftvault::actors::versions_text("raftvault-bench").c_str(), stdout);
    return 0;
  }
  if (command == "wal") return dispatch(command, parse_wal_options(args), run_wal_bench);
  if (command == "raw") return dispatch(command, parse_raw_options(args), run_raw_bench);
  if (command == "pipeline") return dispatch(command, parse_pipeline_options(args), run_pipeline_bench);
  if (command == "rotation") return dispatch(command, parse_rotation_options(args), run_pipeline_bench);
  if (command == "ceiling") return dispatch(command, parse_ceiling_options(args), run_ceiling_bench);
  if (command == "recovery") return dispatch(command, parse_recovery_options(args), run_recovery_bench);
  if (command == "all") return dispatch(command, parse_all_options(args), run_all_bench);
  if (command == "raft") {
    std::fprintf(stderr, "raftvault-bench raft: not built yet (it comes with the raft engine)\n");
    return 2;
  }
  return usage_error("", command + ": unknown subcommand (wal, raw, pipeline, rotation, ceiling, recovery or all)");
}

}  // namespace

int main(int argc, char** argv) {
  // Before anything opens a file: a closed stdout's fd number must not go to a segment.
  if (auto fds = raftvault::fileio::protect_standard_fds(); !fds) {
    std::fprintf(stderr, "raftvault-bench: %s\n", fds.error().message().c_str());
    return 1;
  }
  const int code = run(argc, argv);
  // A report that never reached stdout (closed, a full disk) is a failed run.
  if (std::fflush(stdout) != 0 || std::ferror(stdout) != 0) {
    std::fprintf(stderr, "raftvault-bench: writing the report to stdout failed\n");
    return code == 0 ? 1 : code;
  }
  return code;
}
