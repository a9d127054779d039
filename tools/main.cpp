// raftvault: the operator's tool for a node's encrypted raft storage (docs/cli.md).
#include <csignal>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string_view>

#include "actors/versions.h"
#include "fileio/standard_fds.h"
#include "tools/args.h"
#include "tools/commands.h"

namespace {

struct subcommand {
  const char* name;
  int (*run)(int, char**);
  const char* summary;
};

constexpr subcommand kSubcommands[] = {
    {"init", raftvault::cli::cmd_init, "create a new store (encrypted by default)"},
    {"status", raftvault::cli::cmd_status, "format, cipher, keys, rotation state, log bounds"},
    {"dump", raftvault::cli::cmd_dump, "what a restart would read (metadata, hard state, snapshot, entries)"},
    {"verify", raftvault::cli::cmd_verify, "read and authenticate every record, snapshot and the key file"},
    {"import", raftvault::cli::cmd_import, "a plaintext etcd 3.4 WAL/snap pair into a new store"},
    {"export", raftvault::cli::cmd_export, "the store as plaintext etcd 3.4 wal/ and snap/ directories"},
    {"rotate-dek", raftvault::cli::cmd_rotate_dek, "re-encrypt everything under a new data key (offline)"},
    {"unlock-key", raftvault::cli::cmd_unlock_key, "rotate: replace the unlock key"},
    {"autolock", raftvault::cli::cmd_autolock, "on|off: lock the key file with an unlock key, or not"},
    {"demo", raftvault::cli::cmd_demo, "the end-to-end demo on a fresh temporary store"},
};

void usage(std::ostream& out) {
  out << "usage: raftvault <command> [flags]   (raftvault <command> --help for its flags)\n"
         "       raftvault --version\n\ncommands:\n";
  for (const auto& sub : kSubcommands) {
    std::string name = sub.name;
    out << "  " << name << std::string(12 - name.size(), ' ') << sub.summary << "\n";
  }
  out << "\nThe unlock key of a locked store comes from --unlock-key-file FILE, the environment\n"
         "variable RAFTVAULT_UNLOCK_KEY, or a prompt on a terminal. Exit codes: 0 success,\n"
         "1 refused operation or damaged data, 2 usage error.\n";
}

// Output that never reached stdout (`> /dev/full`, a reader gone) must not exit 0: a script
// would take an empty or cut-off `dump --json` for the store's content.
int checked_stdout(std::string_view command, int code) {
  std::cout.flush();
  const bool written = std::cout && std::fflush(stdout) == 0 && std::ferror(stdout) == 0;
  if (written || code != raftvault::cli::kExitOk) return code;
  if (raftvault::fileio::standard_fds_at_start().stdout_closed)
    std::cerr << "raftvault: " << command << " finished, but its output was lost: stdout is closed" << std::endl;
  else
    std::cerr << "raftvault: " << command << " finished, but writing its output to stdout failed" << std::endl;
  return raftvault::cli::kExitRefused;
}

}  // namespace

int main(int argc, char** argv) {
  // Before anything opens a file: a closed stdout's fd number must not go to keys/LOCK.
  if (auto fds = raftvault::fileio::protect_standard_fds(); !fds) {
    std::cerr << "raftvault: " << fds.error().message() << std::endl;
    return raftvault::cli::kExitRefused;
  }
  // A reader gone from our stdout (`raftvault init | head -c0`) must be a write error the
  // command handles, e.g. removing a new store whose unlock key could not be printed, not a
  // silent death by SIGPIPE halfway through.
  std::signal(SIGPIPE, SIG_IGN);
  if (argc < 2) {
    usage(std::cerr);
    return raftvault::cli::kExitUsage;
  }
  std::string_view name = argv[1];
  if (name == "--help" || name == "-h" || name == "help") {
    usage(std::cout);
    return raftvault::cli::kExitOk;
  }
  if (name == "--version" || name == "version") {
    std::cout << raftvault::actors::versions_text("raftvault");
    return checked_stdout(name, raftvault::cli::kExitOk);
  }
  for (const auto& sub : kSubcommands)
    if (name == sub.name) return checked_stdout(name, sub.run(argc - 2, argv + 2));
  std::cerr << "raftvault: unknown command '" << name << "' (see raftvault --help)" << std::endl;
  return raftvault::cli::kExitUsage;
}
