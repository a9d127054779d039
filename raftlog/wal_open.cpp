// raftlog::wal, the opening half: create (through `<dir>.tmp`), open (lock, leftover spares,
// torn-tail repair), read_all.
#include <algorithm>
#include <fcntl.h>

#include "fileio/crash_point.h"
#include "keys/string_affix.h"
#include "raftlog/segment_name.h"
#include "raftlog/wal_end.h"
#include "raftlog/wal_format.h"
#include "raftlog/wal_impl.h"
#include "raftlog/wal_repair.h"
#include "raftlog/wal_replay.h"

namespace raftvault::raftlog {
namespace {

std::string without_trailing_slash(std::string dir) {
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  return dir;
}

status check_options(const wal_options& options) {
  if (options.segment_size < 4096) {
    return error(errc::invalid_argument, "wal_options.segment_size " +
                                             std::to_string(options.segment_size) +
                                             " is below the 4096-byte minimum");
  }
  return {};
}

// Spares of the file pipeline (N.tmp) left by a crash: etcd ignores and reuses them; the lock
// holder removes them so they cannot accumulate. Likewise released segments whose deletion a
// crash interrupted (X.wal.deleting, raftlog/segment_remover.h): nothing reads them.
status remove_leftover_spares(const std::string& dir) {
  RV_ASSIGN(auto names, fileio::list_dir(dir));
  bool removed = false;
  for (const auto& name : names) {
    if (!keys::ends_with(name, kTempSuffix) && !keys::ends_with(name, kDeletingSuffix)) continue;
    RV_TRY(fileio::unlink(dir + "/" + name));
    removed = true;
  }
  return removed ? fileio::fsync_dir(dir) : status{};
}

}  // namespace

result<std::unique_ptr<wal>> wal::create(const std::string& dir_in, std::string_view metadata,
                                         const wal_options& options) {
  RV_TRY(check_options(options));
  const std::string dir = without_trailing_slash(dir_in);
  if (fileio::exists(dir)) {
    RV_ASSIGN(auto names, fileio::list_dir(dir));
    if (!names.empty())
      return error(errc::already_exists, "cannot create WAL: " + dir + " exists and is not empty");
  }
  const std::string temp = dir + kTempSuffix;
  if (fileio::exists(temp)) RV_TRY(fileio::remove_all(temp));  // a crashed create's leftovers
  RV_TRY(fileio::make_dir(temp));

  auto w = std::make_unique<impl>();
  w->dir = dir;
  w->options = options;
  w->metadata = std::string(metadata);
  RV_ASSIGN(w->lock, fileio::exclusive_lock::acquire(temp + "/" + kLockFileName));
  const std::string name = format_segment_name(0, 0);
  {
    RV_ASSIGN(auto first, fileio::file::open(temp + "/" + name, O_RDWR | O_CREAT | O_EXCL));
    RV_TRY(first.preallocate(0, options.segment_size));
    w->encoder.lag().reset(0);
    w->encoder.add_crc();
    w->encoder.add_metadata(metadata);
    w->encoder.add_snapshot({});  // etcd's Create saves an empty snapshot record
    RV_TRY(first.pwrite_all(w->encoder.bytes().data(), w->encoder.size(), 0));
    RV_TRY(first.fdatasync());
    w->encoder.lag().flush();
    w->tail_end = w->durable_end = w->encoder.size();
    w->encoder.clear();
  }
  RV_TRY(fileio::fsync_dir(temp));
  fileio::crash_point("wal.create.before_rename");
  RV_TRY(fileio::rename(temp, dir));
  fileio::crash_point("wal.create.after_rename");
  RV_TRY(fileio::fsync_dir(fileio::parent_dir(dir)));

  RV_ASSIGN(w->tail, fileio::file::open(dir + "/" + name, O_RDWR));
  w->writer = tail_writer(options.direct_io);
  RV_TRY(w->writer.attach(w->tail, w->tail_end));
  w->encoder.clear(w->writer.carried());
  w->tail_reserved = options.segment_size;
  segment_info info = *parse_segment_name(name);
  info.size_bytes = options.segment_size;
  w->locations->reset(0);
  w->locations->add_segment({info.sequence, info.first_index});
  w->segments.push_back(std::move(info));
  w->pipeline = std::make_unique<file_pipeline>(dir, options.segment_size);
  return std::unique_ptr<wal>(new wal(std::move(w)));
}

result<std::unique_ptr<wal>> wal::open(const std::string& dir_in, snapshot_marker at,
                                       const wal_options& options) {
  RV_TRY(check_options(options));
  const std::string dir = without_trailing_slash(dir_in);
  RV_ASSIGN(auto all, read_segments(dir));
  if (all.empty()) return error(errc::not_found, "no WAL segment (*.wal) in " + dir);

  auto w = std::make_unique<impl>();
  w->dir = dir;
  w->options = options;
  RV_ASSIGN(w->lock, fileio::exclusive_lock::acquire(dir + "/" + kLockFileName));
  RV_TRY(remove_leftover_spares(dir));

  RV_ASSIGN(auto selected, select_segments(dir, at.index));
  RV_ASSIGN(auto replayed, replay(dir, selected, at, replay_mode::read_all));
  const std::string tail_path = dir + "/" + selected.back().name;
  // From here on the log may change: the end recorded at the last close stops being true.
  RV_TRY(remove_wal_end(dir));
  if (replayed.torn) {
    // Only the last segment can be torn (the decoder calls damage elsewhere corruption).
    RV_TRY(repair_torn_tail(dir, tail_path, replayed.end_offset));
  } else if (replayed.garbage_after_end) {
    RV_TRY(zero_to_end(tail_path, replayed.end_offset));
  }

  RV_ASSIGN(w->tail, fileio::file::open(tail_path, O_RDWR));
  RV_ASSIGN(const std::uint64_t tail_size, w->tail.size());
  w->tail_end = w->durable_end = replayed.end_offset;
  w->writer = tail_writer(options.direct_io);
  RV_TRY(w->writer.attach(w->tail, w->tail_end));
  w->tail_reserved = tail_size;
  w->encoder = wal_encoder(replayed.crc);
  w->encoder.clear(w->writer.carried());  // the first save writes in place too
  w->encoder.lag().reset(replayed.end_offset);
  w->metadata = replayed.contents.metadata;
  // etcd leaves its state empty here; keeping the replayed one means the next segment still
  // starts with the current hard state even if no save carries one before the cut.
  w->state = replayed.contents.state;
  w->last_index = replayed.last_index;
  w->tail_last_entry = replayed.tail_last_entry;
  w->highest_index = std::max(replayed.highest_index, replayed.last_index);
  w->opened_at = at.index;
  w->newest_snapshot = at.index;
  w->unread = std::move(replayed.contents);
  RV_ASSIGN(w->segments, read_segments(dir));
  w->locations->reset(at.index);
  for (const auto& s : selected) w->locations->add_segment({s.sequence, s.first_index});
  const auto& replayed_entries = w->unread->entries;
  for (std::size_t i = 0; i < replayed_entries.size(); ++i)
    w->locations->put(replayed_entries[i].index, replayed.locations[i]);
  w->locations->publish();
  w->pipeline = std::make_unique<file_pipeline>(dir, options.segment_size);
  return std::unique_ptr<wal>(new wal(std::move(w)));
}

result<wal_contents> wal::read_all() {
  auto& w = *impl_;
  if (w.closed) return error(errc::closed, "WAL " + w.dir + " is closed");
  if (!w.unread) {
    return error(errc::invalid_argument,
                 "WAL " + w.dir + ": read_all() is only valid once, after open()");
  }
  wal_contents contents = std::move(*w.unread);
  w.unread.reset();
  return contents;
}

}  // namespace raftvault::raftlog
