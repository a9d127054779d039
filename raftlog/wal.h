// The write-ahead log: etcd 3.4's `wal` package, byte for byte (docs/wal-format.md).
//
// A WAL stores records exactly as given: entry data is opaque here. Encryption happens one
// layer up (the encrypted log seals Entry.Data before save and opens it after read_all), so
// the same WAL code serves plaintext etcd directories and encrypted stores.
//
// Happy path: create() or open() -> read_all() -> save()/append()+sync()/truncate() ... ->
// close(); entries() locates retained entries for raftlog::entry_reader on any thread.
// Failure modes: every error names the file and byte offset. Only a torn tail of the last
// segment is repaired (open() does it, keeping a .broken copy); corruption anywhere else is
// reported and nothing is changed. After a failed write or sync the WAL is fail-stop: every
// later call returns the same error (errc::closed wrapping the cause), and the tail is rolled
// back (best effort) to the last fdatasync so a reopen shows only acknowledged records.
//
// Files: segments `%016x-%016x.wal`; `raftvault.lock` (the writer's flock; etcd ignores it);
// while open, the file pipeline's preallocated spare `0.tmp`/`1.tmp` (removed on close);
// `X.wal.deleting`, a released segment being given back (raftlog/segment_remover.h; a crash's
// leftover is removed by open).
// Crash points: wal.create.before_rename, wal.create.after_rename, wal.save.after_write,
// wal.cut.after_old_sync, wal.cut.after_new_write, wal.cut.after_rename (the last three on the
// cut's background thread: append() never waits for a disk flush, sync() waits for the cut).
// A wal object is used by one thread at a time (it owns a background preallocation thread and,
// after a cut until the next sync, the cut finisher's thread: raftlog/cut_finisher.h).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "codec/error_types.h"
#include "codec/raft_types.h"
#include "raftlog/entry_index.h"
#include "raftlog/wal_format.h"

namespace raftvault::raftlog {

struct wal_options {
  // etcd's SegmentSizeBytes: a segment is cut after the save that finds it this large.
  std::uint64_t segment_size = kDefaultSegmentBytes;
  // Emulate etcd's 128 KiB page-writer lag in the cut decision so segment boundaries are
  // byte-identical to etcd's (tests and golden vectors). Off: cut as soon as a save crosses.
  bool etcd_cut_lag = true;
  // Benchmarks only (etcd's --unsafe-no-fsync): skip every fdatasync/fsync of the WAL. Nothing
  // is durable; the bytes written are the same.
  bool unsafe_no_sync = false;
  // Write the tail segment with O_DIRECT (raftlog/tail_writer.h): same bytes on disk, no page
  // cache on the way. Falls back to buffered writes where the file system refuses it.
  bool direct_io = false;
};

// What a restart reads: the WAL's metadata, the last hard state, and the entries after the
// snapshot the WAL was opened at (a later write of an index replaces it and what follows).
struct wal_contents {
  std::string metadata;
  hard_state state;
  std::vector<entry> entries;
};

struct segment_info {
  std::string name;        // %016x-%016x.wal
  std::uint64_t sequence = 0;
  std::uint64_t first_index = 0;  // from the name
  std::uint64_t size_bytes = 0;
};

// Rewrites entry data while a batch is framed, without a new string per entry: the encrypted
// log seals each payload into one reused buffer (raftlog/sealing_hook.h).
class entry_data_hook {
 public:
  virtual ~entry_data_hook() = default;
  // The bytes to store as e's data; the view stays valid until the next call.
  virtual result<std::string_view> data_for(const entry& e) = 0;
};

class wal {
 public:
  ~wal();
  wal(const wal&) = delete;
  wal& operator=(const wal&) = delete;

  // Creates a WAL in `dir` (through `dir`.tmp renamed into place, parent fsynced). Refuses an
  // existing non-empty directory (errc::already_exists).
  static result<std::unique_ptr<wal>> create(const std::string& dir, std::string_view metadata,
                                             const wal_options& options = {});

  // Opens for appending at snapshot `at` (a walpb snapshot record that must exist in the
  // log). Takes the directory's exclusive lock (errc::locked for a second writer) and repairs a
  // torn tail of the last segment. read_all() must be called before the first save.
  static result<std::unique_ptr<wal>> open(const std::string& dir, snapshot_marker at,
                                           const wal_options& options = {});

  // Reads everything after `at`; positions the WAL for appending at the clean end.
  result<wal_contents> read_all();

  // etcd's Save: writes the hard state (unless empty) and entries, fdatasyncs when raft
  // requires it (entries present, or term/vote changed), cuts a segment when due.
  status save(const hard_state& state, const std::vector<entry>& entries);

  // Group-commit building blocks: append() writes without syncing (a segment cut it triggers
  // syncs in the background); sync() makes everything appended so far durable with one
  // fdatasync, after waiting for that cut. save() == append() + sync() when needed.
  status append(const hard_state& state, const std::vector<entry>& entries);
  status sync();
  // append() with each entry's data CRC-32C known: data_crcs[i] == crc32c_update(0,
  // entries[i].data), computed where the data was made (the actor pipeline's crypto workers,
  // right after sealing). The WAL chains them on (codec::crc32c_combine) instead of reading
  // every data byte once more on the writing thread. A size mismatch is refused, nothing
  // written.
  status append(const hard_state& state, const std::vector<entry>& entries,
                const std::vector<std::uint32_t>& data_crcs);

  // save()/append() storing hook.data_for(e) as each entry's data. The batch is framed whole
  // before anything is written, so a failing hook (or a result past the record limit) leaves
  // the WAL exactly as it was; the error is returned and the WAL stays usable.
  status save(const hard_state& state, const std::vector<entry>& entries, entry_data_hook& hook);
  status append(const hard_state& state, const std::vector<entry>& entries,
                entry_data_hook& hook);

  // Drops the entries from `index` on without appending new ones (raft_io's truncate). The
  // stored record of entry index - 1 is read back from its frame and written again, so that
  // a replay (etcd's too: a later record of an index replaces it and everything after it)
  // ends at index - 1. Ordered with later appends, which may start at `index`; durable with
  // the next sync(). Nothing to drop (index > last_index()) is a no-op. Refused with nothing
  // written (errc::invalid_argument): `index` at or below the commit of the last hard state
  // written (raft never removes a committed entry), at or below the newest snapshot record
  // (compacted), or right after it: no record etcd reads can drop every entry after the
  // snapshot a replay starts from; the append that replaces entry `index` drops them
  // (docs/wal-format.md, "Truncation").
  status truncate(std::uint64_t index);

  // Records a snapshot's position (always fsynced).
  status save_snapshot(snapshot_marker marker);

  // Deletes (unlink + directory fsync) every segment before the last one whose first index
  // is <= `index`: after a snapshot at `index` is durable, opening at it needs nothing older.
  status release_to(std::uint64_t index);

  // release_to in two halves, so the thread that appends never waits for the deletions (an
  // unlink of a whole segment plus the directory fsync would hold every append queued behind
  // it). detach_released forgets the segments release_to would delete, once any pending
  // cut is durable, and returns their paths, oldest first; the caller deletes them with a
  // raftlog::segment_remover, from any thread. The WAL never touches them again.
  result<std::vector<std::string>> detach_released(std::uint64_t index);

  // With O_DIRECT (writes_direct()): bytes of the tail segment past the records that are
  // written already (tail_writer.h, "Zeros ahead"), 0 otherwise. zero_ahead writes zeros over
  // about `bytes` more of the tail's preallocated space -> the bytes written (0 when buffered
  // or at the segment's end). For moments the disk would idle: appends into zeroed space only
  // overwrite, so their writes stay small and their fdatasync only flushes. The contents do
  // not change (no fdatasync needed). A failed write makes the WAL fail-stop.
  std::uint64_t zeroed_ahead() const;
  result<std::uint64_t> zero_ahead(std::uint64_t bytes);

  std::uint64_t last_index() const;
  // Where each retained entry is (raftlog/entry_index.h): built by open() from the replay,
  // kept current by append, truncate, release and detach_released. The index is thread-safe:
  // a reader thread may copy locations from it (and read them with raftlog::entry_reader)
  // while this WAL appends. It covers what an fdatasync made durable.
  std::shared_ptr<const entry_index> entries() const;
  // The highest index of any entry record in the WAL's segments, entries a rewrite replaced
  // included: replay from a snapshot below it reads them back (etcd skips a replayed entry at
  // or below the snapshot index without truncating what follows). A DEK rotation's last_old.
  std::uint64_t highest_index() const;
  // Whether the tail is written with O_DIRECT (wal_options::direct_io, and the file system
  // takes it).
  bool writes_direct() const;
  std::vector<segment_info> segments() const;
  const std::string& dir() const;

  // Flushes, truncates the preallocated tail of no segment (etcd keeps it), releases the lock.
  status close();

 private:
  struct impl;
  explicit wal(std::unique_ptr<impl> state);
  std::unique_ptr<impl> impl_;
};

// Read-only access for tools: no lock, no repair. Errors name file and offset.
result<wal_contents> read_wal(const std::string& dir, snapshot_marker at);

// etcd's ValidSnapshotEntries: the snapshot records whose index <= a hard state's commit (the
// highest one recorded; etcd uses the last), in log order.
result<std::vector<snapshot_marker>> valid_snapshot_markers(const std::string& dir);

// etcd's Verify: walks every record and checks the CRC chain, metadata and the snapshot
// record at `at`, without changing anything.
status verify_wal(const std::string& dir, snapshot_marker at);

bool wal_exists(const std::string& dir);
std::vector<segment_info> list_segments(const std::string& dir);

}  // namespace raftvault::raftlog
