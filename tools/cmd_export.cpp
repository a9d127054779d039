// raftvault export: the store as plaintext etcd 3.4 directories OUT/wal and OUT/snap that etcd
// itself opens (raftlog::export_to_plain: a WAL snapshot record and a hard state whose commit
// covers the snapshot). For debugging, downgrades and moving a node back to plain etcd.
#include <algorithm>
#include <cerrno>
#include <iostream>
#include <vector>

#include "fileio/file.h"
#include "raftlog/migration.h"
#include "raftlog/store_copy.h"
#include "tools/commands.h"
#include "tools/path_overlap.h"
#include "tools/permission_notes.h"
#include "tools/progress.h"
#include "tools/report.h"
#include "tools/store_access.h"

namespace raftvault::cli {
namespace {

std::string joined(const std::vector<std::string>& paths) {
  std::string out;
  for (const auto& p : paths) out += (out.empty() ? "" : ", ") + p;
  return out;
}

// An existing OUT must be empty, or hold nothing but what an interrupted export to it left
// (raftlog's copy protocol removes those partial copies before it writes): returns those. Any
// other entry is someone's data, and the refusal names what is there.
result<std::vector<std::string>> leftovers_only(const std::string& out,
                                                const raftlog::detail::copy_target& target) {
  const error not_empty(errc::already_exists,
                        "--out " + out + " exists and is not an empty directory: choose a new path");
  auto names = fileio::list_dir(out);
  if (!names) {
    if (names.error().sys_errno() == ENOTDIR) return not_empty;
    return names.error().with_context("--out " + out);
  }
  const auto leftovers = raftlog::detail::interrupted_copy_leftovers(target);
  std::vector<std::string> others;
  for (const auto& name : *names) {
    const std::string path = out + "/" + name;
    if (std::find(leftovers.begin(), leftovers.end(), path) == leftovers.end()) others.push_back(path);
  }
  if (others.empty()) return leftovers;
  constexpr std::size_t kNamed = 5;
  std::vector<std::string> named(others.begin(), others.begin() + std::min(others.size(), kNamed));
  return error(errc::already_exists,
               "--out " + out + " exists and is not an empty directory (it holds " + joined(named) +
                   (others.size() > kNamed ? " and " + std::to_string(others.size() - kNamed) + " more" : "") +
                   "): choose a new path");
}

}  // namespace

int cmd_export(int argc, char** argv) {
  const command_spec spec{
      "export", "", 0, "Write the store as plaintext etcd 3.4 directories OUT/wal and OUT/snap.",
      "OUT must not exist or be empty (what an interrupted export left there is removed).\n"
      "The output holds the decrypted log: protect it.",
      {{"data-dir", "DIR", "the store's directory", true},
       {"out", "OUT", "the output directory (created, 0700)", true},
       segment_size_flag(),
       unlock_key_file_flag()}};
  parsed_args args;
  if (auto code = parse_args(spec, argc, argv, args)) return *code;
  int code = kExitOk;
  auto segment_size = segment_size_from(spec, args, code);
  if (!segment_size) return code;
  const std::string data_dir = args.value("data-dir");
  const std::string out = args.value("out");
  // A plaintext copy inside the store would travel with every copy of the encrypted store; a
  // store inside OUT would be read while OUT is written.
  if (path_within(out, data_dir))
    return usage_error(spec, "--out " + out + " lies inside --data-dir " + data_dir +
                                 ": write the plaintext copy outside the store");
  if (path_within(data_dir, out))
    return usage_error(spec, "--data-dir " + data_dir + " lies inside --out " + out +
                                 ": choose an --out outside the store");
  const raftlog::detail::copy_target target{out + "/wal", out + "/snap", /*keep_raftvault_files=*/false};
  const bool out_existed = fileio::exists(out);
  std::vector<std::string> leftovers;
  if (out_existed) {
    auto reused = leftovers_only(out, target);
    if (!reused) return fail(reused.error().message());
    leftovers = std::move(*reused);
  }
  auto store = open_offline(args, data_dir, keys::open_mode::read_only);
  if (!store) return fail(store.error(), data_dir);
  warn_loose_permissions(store->layout);
  if (!out_existed) {
    // Durable: the exported directories must not vanish with their parent entry in a crash.
    if (auto made = fileio::make_dir_durable(out); !made) return fail(made.error(), data_dir);
  }
  raftlog::migration_options options;
  options.batch_entries = 256;
  options.wal.segment_size = *segment_size;
  options.skipped_snapshot = [&data_dir](const std::string& why) { warn_skipped_snapshot(why, data_dir); };
  progress_bar bar("export", 0, "entries");
  options.progress = [&bar](std::uint64_t done, std::uint64_t total) {
    bar.set_total(total);
    bar.update(done);
  };
  if (!leftovers.empty())
    note("removing what an interrupted export to " + out + " left there (partial copies): " + joined(leftovers));
  auto exported = raftlog::export_to_plain(data_dir, store->codec, target.wal_dir, target.snap_dir, options);
  bar.finish();
  if (!exported) {
    if (!out_existed) (void)fileio::remove_all(out);
    else {
      (void)fileio::remove_all(out + "/wal");
      (void)fileio::remove_all(out + "/snap");
    }
    return fail(exported.error(), data_dir);
  }
  note("exported " + data_dir + " to " + out + "/wal and " + out +
       "/snap (plaintext etcd 3.4: the data is no longer encrypted there)");
  return kExitOk;
}

}  // namespace raftvault::cli
