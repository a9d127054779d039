// Bootstrapping an encrypted log: detect the layout, create a new store, or read what a
// restart reads (open for writing, or read_store without a lock).
//
// Happy path (open): valid WAL snapshot markers -> newest .snap among them that a held key
// opens -> WAL opened at that marker -> every entry after it opened. Failure modes: a snapshot
// no held key opens is returned as that error (never a fallback to an older one); an entry no
// held key opens is an error naming its index (never treated as a torn tail: the WAL already
// repaired any torn tail before a single payload was opened).
#include <algorithm>

#include "fileio/crash_point.h"
#include "fileio/file.h"
#include "raftlog/encrypted_log_internal.h"
#include "raftlog/snap_file.h"
#include "raftlog/store_permissions.h"

namespace raftvault::raftlog {
namespace detail {

result<std::optional<snapshot>> load_newest_snapshot(const std::string& snap_dir,
                                                     const std::vector<snapshot_marker>& allowed,
                                                     const payload_codec* codec,
                                                     bool rename_broken,
                                                     std::optional<error>* damaged) {
  snapshotter snaps(snap_dir);
  std::optional<snapshot> opened;
  auto accept = [&](const snapshot& stored) -> status {
    if (codec == nullptr) {
      opened = stored;
      return {};
    }
    auto plain = codec->open_snapshot(stored);
    if (!plain) return plain.error().with_context(snap_dir + "/" + snapshotter::file_name(stored.marker()));
    opened = std::move(plain).value();
    return {};
  };
  if (rename_broken) {
    auto loaded = snaps.load_newest_available(allowed, accept);
    if (!loaded) {
      if (loaded.error().code() == errc::not_found) return std::optional<snapshot>();
      return loaded.error();
    }
    return opened;
  }
  // Read-only: the same choice as load_newest_available, but a damaged file is only skipped.
  RV_ASSIGN(auto names, snaps.list());
  for (const auto& name : names) {
    auto marker = parse_snap_file_name(name);
    if (!marker || std::find(allowed.begin(), allowed.end(), *marker) == allowed.end()) continue;
    auto loaded = snaps.load_file(name);
    if (!loaded) {
      if (loaded.error().code() != errc::corruption) return loaded.error();
      if (damaged != nullptr && !*damaged) *damaged = loaded.error();
      continue;
    }
    RV_TRY(accept(*loaded));
    return opened;
  }
  return std::optional<snapshot>();
}

error blame_damaged_snapshot(const error& wal_error, const std::optional<error>& damaged) {
  if (!damaged) return wal_error;
  return error(errc::corruption, "the newest snapshot " + damaged->message() +
                                     "; without it the WAL does not read: " + wal_error.message());
}

status open_entries(const payload_codec& codec, const std::string& wal_dir,
                    std::vector<entry>& entries) {
  if (!codec.encrypted()) return {};
  for (entry& e : entries) {
    auto plain = codec.open_entry(e);
    if (!plain) return plain.error().with_context("read " + wal_dir);
    e = std::move(plain).value();
  }
  return {};
}

}  // namespace detail

namespace {

status check_codec_matches(const store_layout& layout,
                           const std::shared_ptr<const payload_codec>& codec) {
  if (!codec) return error(errc::invalid_argument, "no payload codec given for " + layout.data_dir);
  if (codec->encrypted() == layout.encrypted) return {};
  return error(errc::invalid_argument,
               layout.data_dir + " holds " +
                   (layout.encrypted ? "an encrypted store (wal-v3-encrypted/) but the codec is "
                                       "plaintext"
                                     : "a plaintext store (wal-v3/) but the codec encrypts with " +
                                           std::string(codec::to_string(codec->cipher())) +
                                           "; migrate it first"));
}

struct read_parts {
  std::optional<snapshot> snap;
  snapshot_marker at;
  std::optional<error> damaged;  // a newer snapshot skipped (read-only)
  std::optional<error> missing;  // a newer committed snapshot whose .snap file is not there
};

// The newest committed snapshot marker newer than the one chosen, when its .snap file (or
// the whole snap directory) is gone: if the WAL then does not read from the older point, that
// missing file is the cause to report, not the index gap it leads to.
std::optional<error> missing_snapshot(const store_layout& layout,
                                      const std::vector<snapshot_marker>& markers,
                                      snapshot_marker chosen) {
  if (markers.empty() || markers.back().index <= chosen.index) return std::nullopt;
  const snapshot_marker newest = markers.back();
  const std::string path = layout.snap_dir() + "/" + snapshotter::file_name(newest);
  if (!fileio::exists(layout.snap_dir())) {
    return error(errc::corruption, "the snapshot directory " + layout.snap_dir() +
                                       " is missing (the WAL records a committed snapshot at "
                                       "index " + std::to_string(newest.index) + ", term " +
                                       std::to_string(newest.term) + ")");
  }
  if (fileio::exists(path)) return std::nullopt;
  return error(errc::corruption, "the snapshot at index " + std::to_string(newest.index) +
                                     ", term " + std::to_string(newest.term) +
                                     " that the WAL records as committed is missing: " + path +
                                     " does not exist");
}

// Markers -> newest usable snapshot -> where to open the WAL.
result<read_parts> choose_snapshot(const store_layout& layout, const payload_codec& codec,
                                   bool rename_broken) {
  auto markers = valid_snapshot_markers(layout.wal_dir());
  if (!markers) return markers.error().with_context("open " + layout.data_dir);
  read_parts parts;
  RV_ASSIGN(parts.snap, detail::load_newest_snapshot(layout.snap_dir(), *markers, &codec,
                                                     rename_broken, &parts.damaged));
  if (parts.snap) parts.at = parts.snap->marker();
  parts.missing = missing_snapshot(layout, *markers, parts.at);
  return parts;
}

// The WAL did not read from the chosen snapshot: a skipped or missing newer one is the cause.
error blame_snapshot(const error& wal_error, const read_parts& parts) {
  if (parts.missing) {
    return error(errc::corruption, parts.missing->message() +
                                       "; without it the WAL does not read: " + wal_error.message());
  }
  return detail::blame_damaged_snapshot(wal_error, parts.damaged);
}

}  // namespace

result<store_layout> detect_layout(const std::string& data_dir) {
  // The WAL directory is the commit point of create and migration (it is renamed into place
  // last), so a snap directory alone is not a store; an encrypted WAL wins over a plaintext
  // one that a migration left behind.
  store_layout encrypted{data_dir, true};
  if (wal_exists(encrypted.wal_dir())) return encrypted;
  store_layout plain{data_dir, false};
  if (wal_exists(plain.wal_dir())) return plain;
  return error(errc::not_found, data_dir + ": no raft store (neither wal-v3-encrypted/ nor wal-v3/)");
}

result<std::unique_ptr<encrypted_log>> encrypted_log::create(
    const std::string& data_dir, std::string_view metadata,
    std::shared_ptr<const payload_codec> codec, const log_options& options) {
  if (!codec) return error(errc::invalid_argument, "create " + data_dir + ": no payload codec");
  if (auto existing = detect_layout(data_dir)) {
    return error(errc::already_exists, "create " + data_dir + ": already holds a store (" +
                                           existing->wal_dir() + ")");
  }
  auto state = std::make_unique<impl>();
  state->layout = store_layout{data_dir, codec->encrypted()};
  state->options = options;
  state->codec = std::move(codec);
  state->snaps = snapshotter(state->layout.snap_dir());
  RV_TRY(fileio::make_dir_durable(data_dir));
  RV_TRY(fileio::make_dir(state->layout.snap_dir()));
  RV_TRY(fileio::fsync_dir(data_dir));
  fileio::crash_point("encrypted_log.create.snap_dir_made");
  auto created = wal::create(state->layout.wal_dir(), metadata, options.wal);
  if (!created) return created.error().with_context("create " + data_dir);
  state->log = std::move(created).value();
  return std::unique_ptr<encrypted_log>(new encrypted_log(std::move(state)));
}

result<std::unique_ptr<encrypted_log>> encrypted_log::open(
    const std::string& data_dir, std::shared_ptr<const payload_codec> codec, recovered_state& out,
    const log_options& options) {
  RV_ASSIGN(store_layout layout, detect_layout(data_dir));
  RV_TRY(check_codec_matches(layout, codec));
  RV_ASSIGN(read_parts parts, choose_snapshot(layout, *codec, /*rename_broken=*/true));

  auto opened = wal::open(layout.wal_dir(), parts.at, options.wal);
  if (!opened) return blame_snapshot(opened.error(), parts).with_context("open " + data_dir);
  std::unique_ptr<wal> log = std::move(opened).value();
  // The writer's open, with the WAL's lock held, makes a store copied in with loose modes
  // private again (readers only report them: store_permissions.h).
  if (auto made = make_permissions_private(layout); !made) {
    return made.error().with_context("open " + data_dir);
  }
  auto contents = log->read_all();
  if (!contents) return contents.error().with_context("open " + data_dir);
  RV_TRY(detail::open_entries(*codec, layout.wal_dir(), contents->entries));

  auto state = std::make_unique<impl>();
  state->layout = layout;
  state->options = options;
  state->codec = std::move(codec);
  state->log = std::move(log);
  state->snaps = snapshotter(layout.snap_dir());
  state->last_state = contents->state;
  if (parts.snap) state->last_snapshot = parts.snap->marker();

  out.metadata = std::move(contents->metadata);
  out.state = contents->state;
  out.snap = std::move(parts.snap);
  out.entries = std::move(contents->entries);
  return std::unique_ptr<encrypted_log>(new encrypted_log(std::move(state)));
}

result<recovered_state> read_store(const std::string& data_dir,
                                   const std::shared_ptr<const payload_codec>& codec) {
  RV_ASSIGN(store_layout layout, detect_layout(data_dir));
  RV_TRY(check_codec_matches(layout, codec));
  RV_ASSIGN(read_parts parts, choose_snapshot(layout, *codec, /*rename_broken=*/false));
  auto contents = read_wal(layout.wal_dir(), parts.at);
  if (!contents)
    return blame_snapshot(contents.error(), parts).with_context("read " + data_dir);
  RV_TRY(detail::open_entries(*codec, layout.wal_dir(), contents->entries));
  recovered_state out;
  out.metadata = std::move(contents->metadata);
  out.state = contents->state;
  out.snap = std::move(parts.snap);
  out.entries = std::move(contents->entries);
  if (parts.damaged) out.skipped_snapshot = parts.damaged->message();
  return out;
}

}  // namespace raftvault::raftlog
