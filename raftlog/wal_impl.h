// The state behind raftlog::wal, shared by wal.cpp (writing) and wal_open.cpp (create/open).
// Private to raftlog/.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "fileio/file.h"
#include "raftlog/cut_finisher.h"
#include "raftlog/entry_index.h"
#include "raftlog/file_pipeline.h"
#include "raftlog/tail_writer.h"
#include "raftlog/wal.h"
#include "raftlog/wal_encoder.h"

namespace raftvault::raftlog {

struct wal::impl {
  std::string dir;
  wal_options options;
  fileio::exclusive_lock lock;
  std::vector<segment_info> segments;  // oldest first; back() is the tail
  fileio::file tail;
  tail_writer writer;               // writes `tail` (O_DIRECT under options.direct_io)
  std::uint64_t tail_end = 0;       // end of the records written to the tail
  std::uint64_t durable_end = 0;    // end of what the last fdatasync covered
  std::uint64_t tail_reserved = 0;  // the tail's preallocated size (restored by a rollback)
  bool unsynced = false;
  wal_encoder encoder;
  std::string metadata;
  hard_state state;                 // last non-empty hard state (starts every new segment)
  std::uint64_t last_index = 0;     // etcd's enti: the last entry index saved or read
  std::uint64_t highest_index = 0;  // of any entry record saved or read (wal::highest_index)
  std::uint64_t tail_last_entry = 0;  // last entry record in the tail segment (0: none)
  std::uint64_t opened_at = 0;      // snapshot index opened at: entries may resume after it
  std::uint64_t newest_snapshot = 0;  // opened_at or the newest snapshot record saved since
  std::optional<wal_contents> unread;  // open() replays; read_all() hands it over
  std::optional<error> failed;         // sticky fail-stop error
  bool closed = false;
  // Where every retained entry is (wal::entries); shared with readers on other threads.
  std::shared_ptr<entry_index> locations = std::make_shared<entry_index>();
  // Entries of the batch being framed, put into `locations` once their bytes are written.
  std::vector<std::pair<std::uint64_t, entry_location>> framed;
  std::unique_ptr<file_pipeline> pipeline;
  cut_finisher finisher;  // the last cut's syncs and rename, until finish_cut()

  status check_writable() const;
  status write_buffered();
  status sync_tail();
  status cut();
  status cut_if_due();  // cut() once the segment has reached options.segment_size
  status finish_cut();  // waits for the last cut's background half; fail-stop on its error
  status append_records(const hard_state& state, const std::vector<entry>& entries,
                        entry_data_hook* hook, const std::vector<std::uint32_t>* data_crcs = nullptr);
  // Frames `e` (stored data `data`, its CRC when known) and remembers where it goes.
  void frame_entry(const entry& e, std::string_view data, const std::uint32_t* data_crc);
  void publish_framed();  // after the write: the framed entries' locations go into the index
  status frame_with_hook(const std::vector<entry>& entries, entry_data_hook& hook);
  status append_batch(const hard_state& state, const std::vector<entry>& entries,
                      entry_data_hook* hook, const std::vector<std::uint32_t>* data_crcs = nullptr);
  status save_batch(const hard_state& state, const std::vector<entry>& entries,
                    entry_data_hook* hook);
  status check_entries(const std::vector<entry>& entries) const;
  // Refuses a release past newest_snapshot: the entries after it are needed to open the log.
  status check_release(std::uint64_t index) const;
  // Refuses a truncation that would drop a committed or compacted entry (wal_truncate.cpp).
  status check_truncate(std::uint64_t index) const;
  error fail(const error& cause);  // enters fail-stop, returns the cause
};

}  // namespace raftvault::raftlog
