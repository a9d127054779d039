// raftvault import: a plaintext etcd 3.4 WAL (+ snap directory) into a new store. Encrypted
// stores go through raftlog::migrate_plain_to_encrypted; --cipher none makes a plaintext copy
// with the same crash-safe copy protocol. The source is only read.
#include <iostream>
#include <utility>

#include "actors/held_keys.h"
#include "fileio/file.h"
#include "raftlog/migration.h"
#include "raftlog/store_copy.h"
#include "raftlog/wal.h"
#include "tools/commands.h"
#include "tools/new_store.h"
#include "tools/path_overlap.h"
#include "tools/progress.h"
#include "tools/report.h"
#include "tools/store_access.h"
#include "tools/table.h"

namespace raftvault::cli {
namespace {

status copy_plain(const std::string& wal_dir, const std::string& snap_dir, const std::string& data_dir,
                  const raftlog::migration_options& options) {
  const raftlog::store_layout layout{data_dir, false};
  const raftlog::detail::copy_target target{layout.wal_dir(), layout.snap_dir()};
  RV_TRY(raftlog::detail::prepare_copy_target(target));
  RV_ASSIGN(auto content, raftlog::read_plain_etcd(wal_dir, snap_dir));
  if (!content.skipped_snapshot.empty() && options.skipped_snapshot) options.skipped_snapshot(content.skipped_snapshot);
  return raftlog::detail::install_copy(target, content, *raftlog::payload_codec::plaintext(), options);
}

// Damage can only be in the source here (the copy is new): the store's advice (verify it,
// restore it) would point at a directory that is about to be removed.
std::string import_failure(const error& err, const std::string& data_dir, const std::string& wal_dir) {
  if (err.code() == errc::corruption || err.code() == errc::torn_tail)
    return err.message() + ": the source " + wal_dir + " is damaged; nothing was imported";
  return with_advice(err, data_dir);
}

}  // namespace

int cmd_import(int argc, char** argv) {
  const command_spec spec{
      "import", "", 0, "Import a plaintext etcd 3.4 WAL (and snap directory) into a new store.",
      "Copies what etcd's restart path reads: the metadata, the newest valid snapshot, the\n"
      "entries after it and the last hard state. The source directories are only read.",
      {{"wal-dir", "WAL", "the etcd member's wal directory", true},
       {"snap-dir", "SNAP", "the etcd member's snap directory"},
       {"data-dir", "DIR", "the new store's directory", true},
       {"autolock", "", "lock the key file with a new unlock key (printed once on stdout)"},
       {"cipher", "NAME", "xchacha20poly1305 (default), secretbox or none"},
       {"tls-key", "PEM_FILE", "the node's TLS private key to store (default: a new EC P-256 key)"},
       segment_size_flag()}};
  parsed_args args;
  if (auto code = parse_args(spec, argc, argv, args)) return *code;
  int code = kExitOk;
  auto request = new_store_request_from(spec, args, code);
  if (!request) return code;
  const std::string wal_dir = args.value("wal-dir");
  const std::string snap_dir = args.value("snap-dir");
  // A store written into its own source would be read while it is written, and a failed run's
  // clean-up would remove what it created inside the source.
  for (const auto& [flag, source] : {std::pair{"--wal-dir", wal_dir}, std::pair{"--snap-dir", snap_dir}}) {
    if (!source.empty() && path_within(request->data_dir, source))
      return usage_error(spec, "--data-dir " + request->data_dir + " lies inside " + flag + " " + source +
                                   ": the new store must be outside the directories it imports");
  }
  if (auto unreadable = unreadable_wal(wal_dir))
    return fail("cannot read --wal-dir " + wal_dir + ": " + unreadable->message());
  if (!raftlog::wal_exists(wal_dir))
    return fail("no etcd WAL segments (*.wal) in " + wal_dir + ": --wal-dir must name an etcd member's wal directory");
  if (!snap_dir.empty() && !fileio::exists(snap_dir))
    return fail("--snap-dir " + snap_dir + " does not exist");
  // Imported as plaintext, sealed records would be sealed again: a store whose "plaintext"
  // is ciphertext only the old store's keys open.
  if (auto sealed = sealed_entries_in(wal_dir))
    return fail("--wal-dir " + wal_dir + " is not a plaintext etcd WAL (" + *sealed +
                "): import reads etcd's plaintext WALs; an encrypted raftvault store is used as it is, "
                "or 'raftvault export' writes a plaintext copy of it");

  auto guard = start_new_store(request->data_dir, spec.name);
  if (!guard) return fail(guard.error(), request->data_dir);
  auto keys = create_new_keys(*request, *guard);
  if (!keys) return fail_new_store(*guard, with_advice(keys.error(), request->data_dir));
  raftlog::migration_options options;
  options.batch_entries = 256;
  options.wal.segment_size = request->segment_size;
  // The source's advice: verify cannot read an etcd directory, so name the file and go on.
  options.skipped_snapshot = [&snap_dir](const std::string& why) {
    note("warning: the source's newest snapshot is damaged and was skipped (" + why +
         "); the older one in " + snap_dir + " is imported, as etcd's restart would use it");
  };
  progress_bar bar("import", 0, "entries");
  options.progress = [&bar](std::uint64_t done, std::uint64_t total) {
    bar.set_total(total);
    bar.update(done);
  };
  auto imported = [&]() -> status {
    if (request->cipher == codec::cipher::none) return copy_plain(wal_dir, snap_dir, request->data_dir, options);
    RV_ASSIGN(auto codec, actors::codec_for(*keys, request->cipher));
    return raftlog::migrate_plain_to_encrypted(wal_dir, snap_dir, request->data_dir, codec, options);
  }();
  bar.finish();
  if (!imported) return fail_new_store(*guard, import_failure(imported.error(), request->data_dir, wal_dir));
  if (auto kept = keep_new_store_with_key(*guard, *keys); kept != kExitOk) return kept;
  make_new_store_private(*request);
  note("imported " + wal_dir + (snap_dir.empty() ? "" : " + " + snap_dir) + " into " + request->data_dir +
       " (cipher " + std::string(codec::to_string(request->cipher)) + ", autolock " +
       (keys->kek() ? "on" : "off") + "); the source was not changed");
  if (keys->kek()) note_new_unlock_key(request->data_dir);
  return kExitOk;
}

}  // namespace raftvault::cli
