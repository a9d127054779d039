// raftvault export: the store as plaintext etcd 3.4 directories OUT/wal and OUT/snap that etcd
// itself opens (raftlog::export_to_plain: a WAL snapshot record and a hard state whose commit
// covers the snapshot). For debugging, downgrades and moving a node back to plain etcd.
#include <iostream>

#include "fileio/file.h"
#include "raftlog/migration.h"
#include "tools/commands.h"
#include "tools/path_overlap.h"
#include "tools/permission_notes.h"
#include "tools/progress.h"
#include "tools/report.h"
#include "tools/store_access.h"

namespace raftvault::cli {
int cmd_export(int argc, char** argv) {
  const command_spec spec{
      "export", "", 0, "Write the store as plaintext etcd 3.4 directories OUT/wal and OUT/snap.",
      "OUT must not exist or be empty. The output holds the decrypted log: protect it.",
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
  const bool out_existed = fileio::exists(out);
  if (out_existed) {
    auto empty = fileio::is_empty_dir(out);
    if (!empty) return fail("--out " + out + ": " + empty.error().message());
    if (!*empty) return fail("--out " + out + " exists and is not an empty directory: choose a new path");
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
  auto exported = raftlog::export_to_plain(data_dir, store->codec, out + "/wal", out + "/snap", options);
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
