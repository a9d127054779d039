// Migration entry points: read the source through etcd's restart path, then hand the content
// to install_copy (store_copy.cpp) which writes and renames the new copy crash-safely.
#include "raftlog/migration.h"

#include "fileio/crash_point.h"
#include "fileio/file.h"
#include "raftlog/encrypted_log_internal.h"
#include "raftlog/store_copy.h"

namespace raftvault::raftlog {
namespace {

status remove_source(const std::string& dir) {
  if (dir.empty() || !fileio::exists(dir)) return {};
  RV_TRY(fileio::remove_all(dir));
  return fileio::fsync_dir(fileio::parent_dir(dir));
}

}  // namespace

result<recovered_state> read_plain_etcd(const std::string& wal_dir, const std::string& snap_dir) {
  auto markers = valid_snapshot_markers(wal_dir);
  if (!markers) return markers.error();
  recovered_state content;
  std::optional<error> damaged;
  if (!snap_dir.empty()) {
    RV_ASSIGN(content.snap, detail::load_newest_snapshot(snap_dir, *markers,
                                                         payload_codec::plaintext().get(),
                                                         /*rename_broken=*/false, &damaged));
  }
  const snapshot_marker at = content.snap ? content.snap->marker() : snapshot_marker{};
  auto read = read_wal(wal_dir, at);
  if (!read) return detail::blame_damaged_snapshot(read.error(), damaged);
  wal_contents contents = std::move(read).value();
  content.metadata = std::move(contents.metadata);
  content.state = contents.state;
  content.entries = std::move(contents.entries);
  if (damaged) content.skipped_snapshot = damaged->message();
  return content;
}

status migrate_plain_to_encrypted(const std::string& plain_wal_dir,
                                  const std::string& plain_snap_dir, const std::string& data_dir,
                                  const std::shared_ptr<const payload_codec>& codec,
                                  const migration_options& options) {
  const std::string context = "migrate " + plain_wal_dir + " to " + data_dir;
  if (!codec || !codec->encrypted()) {
    return error(errc::invalid_argument, context + ": the codec does not encrypt");
  }
  const store_layout layout{data_dir, true};
  RV_TRY(fileio::make_dir_durable(data_dir));
  const detail::copy_target target{layout.wal_dir(), layout.snap_dir()};
  if (auto prepared = detail::prepare_copy_target(target); !prepared) {
    return prepared.error().with_context(context);
  }
  auto content = read_plain_etcd(plain_wal_dir, plain_snap_dir);
  if (!content) return content.error().with_context(context);
  if (!content->skipped_snapshot.empty() && options.skipped_snapshot) options.skipped_snapshot(content->skipped_snapshot);
  fileio::crash_point("migration.source_read");
  if (auto installed = detail::install_copy(target, *content, *codec, options); !installed) {
    return installed.error().with_context(context);
  }
  if (!options.remove_source) return {};
  RV_TRY(remove_source(plain_snap_dir));
  RV_TRY(remove_source(plain_wal_dir));
  fileio::crash_point("migration.source_removed");
  return {};
}

status export_to_plain(const std::string& data_dir,
                       const std::shared_ptr<const payload_codec>& codec,
                       const std::string& out_wal_dir, const std::string& out_snap_dir,
                       const migration_options& options) {
  const std::string context = "export " + data_dir + " to " + out_wal_dir;
  if (out_wal_dir.empty() || out_snap_dir.empty()) {
    return error(errc::invalid_argument, context + ": both output directories are required");
  }
  const detail::copy_target target{out_wal_dir, out_snap_dir, /*keep_raftvault_files=*/false};
  if (auto prepared = detail::prepare_copy_target(target); !prepared) {
    return prepared.error().with_context(context);
  }
  auto content = read_store(data_dir, codec);
  if (!content) return content.error().with_context(context);
  if (!content->skipped_snapshot.empty() && options.skipped_snapshot) options.skipped_snapshot(content->skipped_snapshot);
  fileio::crash_point("migration.source_read");
  if (auto installed = detail::install_copy(target, *content, *payload_codec::plaintext(), options);
      !installed) {
    return installed.error().with_context(context);
  }
  return {};
}

}  // namespace raftvault::raftlog
