#include "reliability/kill_crash_points.h"

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

namespace raftvault::reliability {

const char* to_string(crash_driver driver) {
  switch (driver) {
    case crash_driver::bench_load: return "bench under load";
    case crash_driver::bench_first_start: return "bench first start";
    case crash_driver::cli_rotate_dek: return "raftvault rotate-dek";
    case crash_driver::cli_import: return "raftvault import";
    case crash_driver::cli_export: return "raftvault export";
    case crash_driver::library_only: return "library only";
  }
  return "?";
}

const std::vector<crash_point_row>& crash_point_table() {
  using d = crash_driver;
  static const std::vector<crash_point_row> table = {
      // The WAL: saves, cuts, creation.
      {"wal.save.after_write", {d::bench_load}, 8},
      {"wal.cut.after_old_sync", {d::bench_load}, 8},
      {"wal.cut.after_new_write", {d::bench_load}, 8},
      {"wal.cut.after_rename", {d::bench_load}, 8},
      {"store_creation.journal_made", {d::bench_first_start}, 1},
      {"store_creation.committed", {d::bench_first_start}, 1},
      {"wal.create.before_rename", {d::bench_first_start}, 1},
      {"wal.create.after_rename", {d::bench_first_start}, 1},
      {"encrypted_log.create.snap_dir_made", {d::bench_first_start}, 1},
      // Snapshots written by the pipeline (each rotation forces one).
      {"snapshot.before_rename", {d::bench_load}, 8},
      {"snapshot.after_rename", {d::bench_load}, 8},
      // The key file: every rotation replaces it twice.
      {"atomic_write.before_rename",
       {d::bench_load, d::bench_first_start, d::cli_rotate_dek, d::cli_import, d::cli_export}, 2},
      {"atomic_write.after_rename",
       {d::bench_load, d::bench_first_start, d::cli_rotate_dek, d::cli_import, d::cli_export}, 2},
      {"keys.persist.before_replace",
       {d::bench_load, d::bench_first_start, d::cli_rotate_dek, d::cli_import}, 2},
      {"keys.persist.after_replace",
       {d::bench_load, d::bench_first_start, d::cli_rotate_dek, d::cli_import}, 2},
      // The DEK rotation protocol under load.
      {"rotation.after_request", {d::bench_load}, 8},
      {"rotation.after_prepare", {d::bench_load}, 8},
      {"rotation.after_drain", {d::bench_load}, 8},
      {"rotation.after_snapshot", {d::bench_load}, 8},
      {"rotation.after_retire_persisted", {d::bench_load}, 8},
      {"rotation.after_old_files_deleted", {d::bench_load}, 8},
      // Offline re-encryption and the copy protocol under it.
      {"rotate_dek.prepared", {d::cli_rotate_dek}, 1},
      {"rotate_dek.copy_written", {d::cli_rotate_dek}, 1},
      {"rotate_dek.snap_swapped", {d::cli_rotate_dek}, 1},
      {"rotate_dek.wal_swapped", {d::cli_rotate_dek}, 1},
      {"rotate_dek.completed", {d::cli_rotate_dek}, 1},
      {"rotate_dek.cleaned", {d::cli_rotate_dek}, 1},
      {"migration.source_read", {d::cli_import, d::cli_export}, 1},
      {"migration.temp_written", {d::cli_import, d::cli_export, d::cli_rotate_dek}, 1},
      {"migration.snap_renamed", {d::cli_import, d::cli_export, d::cli_rotate_dek}, 1},
      {"migration.wal_renamed", {d::cli_import, d::cli_export, d::cli_rotate_dek}, 1},
      {"migration.marker_removed", {d::cli_import, d::cli_export, d::cli_rotate_dek}, 1},
      // A new store (init/import): the unfinished-store journal and the key's delivery.
      {"new_store.journal_written", {d::cli_import}, 1},
      {"new_store.complete", {d::cli_import}, 1},
      // Reached only with --autolock, which the import driver does not use (its key would have
      // to be caught from the rerun's stdout); tests/tools/cli_new_store_crash_test.cpp stops there.
      {"new_store.key_shown", {d::library_only}, 1},
      // Library APIs no program calls: encrypted_log::save_snapshot (the pipeline has its own
      // snapshot writer), key_store::replace_tls, migration_options::remove_source.
      {"encrypted_log.snapshot_saved", {d::library_only}, 1},
      {"encrypted_log.snapshot_marker_saved", {d::library_only}, 1},
      {"encrypted_log.snapshot_state_saved", {d::library_only}, 1},
      {"encrypted_log.segments_released", {d::library_only}, 1},
      {"keys.tls.cert_staged", {d::library_only}, 1},
      {"keys.tls.key_replaced", {d::library_only}, 1},
      {"migration.source_removed", {d::library_only}, 1},
  };
  return table;
}

result<std::set<std::string>> crash_points_in_sources(const std::string& source_dir) {
  namespace fs = std::filesystem;
  static const std::regex call(R"re(crash_point\("([^"]+)"\))re");
  std::set<std::string> names;
  bool any = false;
  for (const char* layer : {"fileio", "keys", "raftlog", "actors", "tools"}) {
    const fs::path dir = fs::path(source_dir) / layer;
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) continue;
    any = true;
    for (const auto& item : fs::directory_iterator(dir)) {
      const auto ext = item.path().extension();
      if (ext != ".cpp" && ext != ".h") continue;
      std::ifstream in(item.path());
      std::stringstream text;
      text << in.rdbuf();
      const std::string body = text.str();
      for (std::sregex_iterator it(body.begin(), body.end(), call), end; it != end; ++it)
        names.insert((*it)[1].str());
    }
  }
  if (!any) return error(errc::not_found, "no sources under " + source_dir);
  return names;
}

}  // namespace raftvault::reliability
