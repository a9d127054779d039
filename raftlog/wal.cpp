// raftlog::wal, the writing half: save/append/sync, segment cut, release, close.
// Happy path: save() encodes the whole batch into one buffer, writes it with one pwrite (per
// MiB) and fdatasyncs when raft requires it; a cut seals the old segment, continues in a spare
// preallocated by the file pipeline and leaves the syncs and the rename to the cut finisher,
// which the next sync waits for.
// Failure modes: a failed write or sync makes the WAL fail-stop (sticky errc::closed error) and
// rolls the tail back to the last durable offset, so a reopen sees only acknowledged records.
#include <fcntl.h>

#include <algorithm>

#include "fileio/crash_point.h"
#include "raftlog/segment_name.h"
#include "raftlog/wal_end.h"
#include "raftlog/wal_format.h"
#include "raftlog/wal_impl.h"

#define RV_TRY_OR_FAIL(expr)                               \
  do {                                                     \
    auto&& rv_fail_result_ = (expr);                       \
    if (!rv_fail_result_) return fail(rv_fail_result_.error()); \
  } while (false)

namespace raftvault::raftlog {

wal::wal(std::unique_ptr<impl> state) : impl_(std::move(state)) {}

wal::~wal() {
  if (impl_ && !impl_->closed) (void)close();
}

error wal::impl::fail(const error& cause) {
  if (!failed) {
    failed = error(errc::closed,
                   "WAL " + dir + " stopped after a failed write or sync (fail-stop): " +
                       cause.describe(),
                   cause.sys_errno());
    // Best effort: drop what no fdatasync covered (including bytes of a partial write past
    // tail_end), so a reopen shows only acknowledged records.
    if (tail.is_open() && tail.truncate(durable_end) && tail_reserved > durable_end)
      (void)tail.preallocate(durable_end, tail_reserved - durable_end);
    framed.clear();
    if (!segments.empty()) locations->drop_written_after(segments.back().sequence, durable_end);
  }
  return cause;
}

status wal::impl::check_writable() const {
  if (closed) return error(errc::closed, "WAL " + dir + " is closed");
  if (failed) return *failed;
  if (unread) return error(errc::invalid_argument, "WAL " + dir + ": read_all() must be called "
                                                   "before the first save");
  return {};
}

status wal::impl::write_buffered() {
  if (encoder.size() == 0) return {};
  RV_TRY_OR_FAIL(writer.write(tail, encoder, tail_end));
  tail_end += encoder.size();
  encoder.clear(writer.carried());
  unsynced = true;
  return {};
}

status wal::impl::sync_tail() {
  RV_TRY(finish_cut());
  encoder.lag().flush();
  if (unsynced) {
    if (!options.unsafe_no_sync) RV_TRY_OR_FAIL(tail.fdatasync());
    durable_end = tail_end;
    unsynced = false;
  }
  // Durable, and a cut's segment has its final name: the entries may be read back.
  locations->publish();
  return {};
}

status wal::impl::check_entries(const std::vector<entry>& entries) const {
  const std::uint64_t resume_limit = std::max(last_index, opened_at) + 1;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const entry& e = entries[i];
    RV_TRY(wal_encoder::check_entry(e));
    if (i == 0 && e.index > resume_limit) {
      return error(errc::invalid_argument,
                   "WAL " + dir + ": entry " + std::to_string(e.index) +
                       " would leave an index gap after entry " + std::to_string(resume_limit - 1));
    }
    if (i > 0 && e.index != entries[i - 1].index + 1) {
      return error(errc::invalid_argument,
                   "WAL " + dir + ": entries are not consecutive (" +
                       std::to_string(entries[i - 1].index) + " then " + std::to_string(e.index) +
                       ")");
    }
  }
  return {};
}

status wal::impl::append_records(const hard_state& hs, const std::vector<entry>& entries,
                                 entry_data_hook* hook, const std::vector<std::uint32_t>* data_crcs) {
  RV_TRY(check_entries(entries));  // refused before anything is written: not fail-stop
  if (data_crcs != nullptr && data_crcs->size() != entries.size()) {
    return error(errc::invalid_argument, "WAL " + dir + ": " + std::to_string(data_crcs->size()) +
                                             " data CRCs for " + std::to_string(entries.size()) +
                                             " entries");
  }
  if (hook != nullptr) {
    RV_TRY(frame_with_hook(entries, *hook));
  } else {
    const std::size_t chunk = writer.direct() ? kDirectWriteChunkBytes : kWriteChunkBytes;
    for (std::size_t i = 0; i < entries.size(); ++i) {
      const entry& e = entries[i];
      frame_entry(e, e.data, data_crcs != nullptr ? &(*data_crcs)[i] : nullptr);
      last_index = tail_last_entry = e.index;
      highest_index = std::max(highest_index, e.index);
      if (encoder.size() >= chunk) RV_TRY(write_buffered());
    }
  }
  if (!hs.empty()) {
    state = hs;
    encoder.add_state(hs);
  }
  RV_TRY(write_buffered());
  publish_framed();
  return {};
}

void wal::impl::frame_entry(const entry& e, std::string_view data, const std::uint32_t* data_crc) {
  const std::uint64_t offset = tail_end + encoder.size();
  const std::uint32_t crc_before = encoder.crc();
  if (data_crc != nullptr) {
    encoder.add_entry(e, data, *data_crc);
  } else {
    encoder.add_entry(e, data);
  }
  const auto frame_bytes = static_cast<std::uint32_t>(tail_end + encoder.size() - offset);
  framed.push_back({e.index, {segments.back().sequence, offset, e.term, crc_before, frame_bytes}});
}

void wal::impl::publish_framed() {
  for (const auto& [index, where] : framed) locations->put(index, where);
  framed.clear();
}

status wal::impl::frame_with_hook(const std::vector<entry>& entries, entry_data_hook& hook) {
  // Framed whole, written after: a failure part way rewinds the encoder and nothing is lost.
  const auto start = encoder.position();
  const std::uint64_t start_index = last_index;
  for (const entry& e : entries) {
    auto data = hook.data_for(e);
    status checked = data ? wal_encoder::check_entry(e, data->size()) : status(data.error());
    if (!checked) {
      encoder.rewind(start);
      last_index = start_index;
      framed.clear();
      return checked;
    }
    frame_entry(e, *data, nullptr);
    last_index = e.index;
  }
  // Framed whole: nothing failed, so every one of them is written.
  for (const entry& e : entries) highest_index = std::max(highest_index, e.index);
  if (!entries.empty()) tail_last_entry = entries.back().index;
  return {};
}

status wal::impl::cut() {
  RV_TRY(finish_cut());  // the previous cut, 64 MB ago: long finished in practice
  // Seal the old segment at its last record (it may have outgrown its preallocation).
  RV_TRY_OR_FAIL(tail.truncate(tail_end));
  segments.back().size_bytes = tail_end;

  auto spare = pipeline->take();
  if (!spare) return fail(spare.error());
  fileio::file next = std::move(spare).value();
  const std::string name = format_segment_name(segments.back().sequence + 1, last_index + 1);

  encoder.clear();
  encoder.lag().reset(0);
  encoder.add_crc();
  encoder.add_metadata(metadata);
  if (!state.empty()) encoder.add_state(state);
  const std::uint64_t header_bytes = encoder.size();
  RV_TRY_OR_FAIL(writer.attach(next, 0));
  RV_TRY_OR_FAIL(writer.write(next, encoder, 0));
  encoder.clear(writer.carried());

  // The syncs and the rename go to the background; appends continue into the spare at once.
  auto second = fileio::file::open(next.path(), O_RDWR);
  if (!second) return fail(second.error());
  cut_job job{std::move(tail), std::move(second).value(), dir + "/" + name, dir,
              !options.unsafe_no_sync};
  tail = std::move(next);
  finisher.start(std::move(job));

  // The header counts as durable: no sync() returns before the finisher has synced it.
  tail_end = durable_end = header_bytes;
  tail_last_entry = 0;
  tail_reserved = options.segment_size;
  unsynced = false;
  encoder.lag().reset(header_bytes);
  segment_info info = *parse_segment_name(name);
  info.size_bytes = std::max<std::uint64_t>(options.segment_size, header_bytes);
  locations->add_segment({info.sequence, info.first_index});
  segments.push_back(std::move(info));
  return {};
}

status wal::impl::cut_if_due() {
  // etcd compares the (lagging) file offset with the segment size after the save's records.
  const std::uint64_t offset = options.etcd_cut_lag ? encoder.lag().file_offset() : tail_end;
  return offset >= options.segment_size ? cut() : status{};
}

status wal::impl::finish_cut() {
  if (!finisher.pending()) return {};
  RV_TRY_OR_FAIL(finisher.wait());
  // Reopen under the final name so that error messages name the real file.
  auto reopened = fileio::file::open(dir + "/" + segments.back().name, O_RDWR);
  if (!reopened) return fail(reopened.error());
  (void)tail.close();
  tail = std::move(reopened).value();
  RV_TRY_OR_FAIL(writer.renamed(tail.path()));
  return {};
}

status wal::impl::append_batch(const hard_state& hs, const std::vector<entry>& entries,
                               entry_data_hook* hook, const std::vector<std::uint32_t>* data_crcs) {
  RV_TRY(check_writable());
  if (hs.empty() && entries.empty()) return {};
  RV_TRY(append_records(hs, entries, hook, data_crcs));
  return cut_if_due();
}

status wal::impl::save_batch(const hard_state& hs, const std::vector<entry>& entries,
                             entry_data_hook* hook) {
  RV_TRY(check_writable());
  if (hs.empty() && entries.empty()) return {};
  // raft.MustSync: new entries, or a term or vote change, must be durable before replying.
  const bool must_sync = !entries.empty() || hs.term != state.term || hs.vote != state.vote;
  RV_TRY(append_records(hs, entries, hook));
  fileio::crash_point("wal.save.after_write");
  RV_TRY(cut_if_due());
  // After a cut, this waits for the sealed segment's fdatasync (the batch is in it).
  return must_sync ? sync_tail() : status{};
}

status wal::append(const hard_state& state, const std::vector<entry>& entries) {
  return impl_->append_batch(state, entries, nullptr);
}

status wal::append(const hard_state& state, const std::vector<entry>& entries,
                   const std::vector<std::uint32_t>& data_crcs) {
  return impl_->append_batch(state, entries, nullptr, &data_crcs);
}

status wal::append(const hard_state& state, const std::vector<entry>& entries,
                   entry_data_hook& hook) {
  return impl_->append_batch(state, entries, &hook);
}

status wal::save(const hard_state& state, const std::vector<entry>& entries) {
  return impl_->save_batch(state, entries, nullptr);
}

status wal::save(const hard_state& state, const std::vector<entry>& entries,
                 entry_data_hook& hook) {
  return impl_->save_batch(state, entries, &hook);
}

status wal::sync() {
  RV_TRY(impl_->check_writable());
  return impl_->sync_tail();
}

status wal::save_snapshot(snapshot_marker marker) {
  auto& w = *impl_;
  RV_TRY(w.check_writable());
  w.encoder.add_snapshot(marker);
  RV_TRY(w.write_buffered());
  if (w.last_index < marker.index) w.last_index = marker.index;
  RV_TRY(w.sync_tail());
  w.newest_snapshot = std::max(w.newest_snapshot, marker.index);
  return {};
}

status wal::impl::check_release(std::uint64_t index) const {
  if (index <= newest_snapshot) return {};
  return error(errc::invalid_argument,
               "release of " + dir + " up to index " + std::to_string(index) +
                   " refused: the newest durable snapshot is at index " +
                   std::to_string(newest_snapshot) +
                   " and the entries after it are needed to open the log (nothing deleted)");
}

status wal::release_to(std::uint64_t index) {
  auto& w = *impl_;
  RV_TRY(w.check_writable());
  RV_TRY(w.check_release(index));
  // A pending cut's rename must be durable before older segments may go.
  RV_TRY(w.finish_cut());
  auto keep = search_segment(w.segments, index);
  if (!keep || *keep == 0) return {};
  // Forget each segment as soon as it is deleted: after a failed unlink the list must still
  // match the disk, or a retry would fail on a segment that is already gone.
  for (std::size_t i = 0; i < *keep; ++i) {
    w.locations->drop_segments_before(w.segments[1].sequence);
    RV_TRY(fileio::unlink(w.dir + "/" + w.segments.front().name));
    w.segments.erase(w.segments.begin());
  }
  return fileio::fsync_dir(w.dir);
}

result<std::vector<std::string>> wal::detach_released(std::uint64_t index) {
  auto& w = *impl_;
  RV_TRY(w.check_writable());
  RV_TRY(w.check_release(index));
  // A pending cut's rename must be durable before older segments may go.
  RV_TRY(w.finish_cut());
  std::vector<std::string> paths;
  auto keep = search_segment(w.segments, index);
  if (!keep || *keep == 0) return paths;
  for (std::size_t i = 0; i < *keep; ++i) paths.push_back(w.dir + "/" + w.segments[i].name);
  w.locations->drop_segments_before(w.segments[*keep].sequence);
  w.segments.erase(w.segments.begin(), w.segments.begin() + static_cast<std::ptrdiff_t>(*keep));
  return paths;
}

std::uint64_t wal::last_index() const { return impl_->last_index; }

std::shared_ptr<const entry_index> wal::entries() const { return impl_->locations; }
std::uint64_t wal::highest_index() const { return impl_->highest_index; }

bool wal::writes_direct() const { return impl_->writer.direct(); }

std::uint64_t wal::zeroed_ahead() const { return impl_->writer.zeroed_ahead(); }

result<std::uint64_t> wal::zero_ahead(std::uint64_t bytes) {
  auto& w = *impl_;
  RV_TRY(w.check_writable());
  auto zeroed = w.writer.zero_ahead(bytes);
  if (!zeroed) return w.fail(zeroed.error());
  return zeroed;
}

std::vector<segment_info> wal::segments() const {
  auto list = impl_->segments;
  if (!list.empty() && impl_->tail.is_open()) {
    if (auto size = impl_->tail.size()) list.back().size_bytes = *size;
  }
  return list;
}

const std::string& wal::dir() const { return impl_->dir; }

status wal::close() {
  auto& w = *impl_;
  if (w.closed) return {};
  status outcome;
  if (!w.failed && !w.unread) outcome = w.sync_tail();
  else if (w.failed) outcome = *w.failed;
  (void)w.finisher.wait();  // after a failure it may still be running
  // Everything is durable: record where the log ends (raftlog/wal_end.h). Not after a failure
  // (the end is uncertain) nor without fsyncs (a crash could leave the record but not the log).
  if (outcome && !w.failed && !w.options.unsafe_no_sync && !w.segments.empty()) {
    const segment_info& last = w.segments.back();
    outcome = write_wal_end(w.dir, {last.sequence, last.first_index, w.tail_end,
                                    w.encoder.crc(), w.tail_last_entry});
  }
  w.pipeline.reset();  // stops the worker and unlinks the unused spare
  if (w.tail.is_open()) (void)w.tail.close();
  w.lock = fileio::exclusive_lock();
  w.closed = true;
  return outcome;
}

}  // namespace raftvault::raftlog
