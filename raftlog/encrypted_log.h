// The raft log as a service sees it: WAL + snapshots + payload codec in one data directory
// (store_layout). Entry and snapshot payloads pass through the codec on write and read; index,
// term, type, hard state and metadata stay plaintext so etcd tools still parse the log.
//
// Happy path: create() or open() (returns what a restart reads, decrypted) -> save() ...
// save_snapshot() ... -> close(). Failure modes: a payload no held key opens is an error
// (wrong_key / missing_key naming the index), never "repaired"; the newest snapshot is used only
// if a held key opens it — never a silent fallback to an older one.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "codec/error_types.h"
#include "codec/raft_types.h"
#include "raftlog/payload_codec.h"
#include "raftlog/snapshotter.h"
#include "raftlog/store_layout.h"
#include "raftlog/wal.h"

namespace raftvault::raftlog {

struct log_options {
  wal_options wal;
  std::size_t snapshot_keep = 3;  // .snap files kept by GC
};

// What a restart reads, decrypted.
struct recovered_state {
  std::string metadata;
  hard_state state;
  std::optional<snapshot> snap;  // the newest usable snapshot, if any
  std::vector<entry> entries;    // after the snapshot
  // Read-only readers (read_store, read_plain_etcd): why a newer snapshot was skipped as
  // damaged (a restart renames it .broken and starts from `snap`, as etcd does); empty when
  // none was.
  std::string skipped_snapshot;
};

class encrypted_log {
 public:
  ~encrypted_log();

  // A new store (layout by codec->encrypted()); refuses an existing one.
  static result<std::unique_ptr<encrypted_log>> create(const std::string& data_dir,
                                                       std::string_view metadata,
                                                       std::shared_ptr<const payload_codec> codec,
                                                       const log_options& options = {});
  // Opens for writing; `out` receives what a restart reads.
  static result<std::unique_ptr<encrypted_log>> open(const std::string& data_dir,
                                                     std::shared_ptr<const payload_codec> codec,
                                                     recovered_state& out,
                                                     const log_options& options = {});

  // Seals every entry first; if any fails nothing of the batch is written.
  status save(const hard_state& state, const std::vector<entry>& plain);
  // Seals and writes the .snap durably, then the WAL snapshot record and a hard state whose
  // commit covers the snapshot, then releases older segments and GCs old snapshots.
  status save_snapshot(const snapshot& plain);

  // Records written after this use the new codec's sealing key (rotation).
  void set_codec(std::shared_ptr<const payload_codec> codec);
  const std::shared_ptr<const payload_codec>& codec() const;

  wal& log();                // the underlying WAL
  // Hands the WAL to a caller that writes it itself (the actor pipeline's WAL writer, its only
  // user from then on); this log is closed afterwards: save and save_snapshot refuse
  // (errc::closed), close does nothing, log() must not be called.
  std::unique_ptr<wal> take_wal();
  snapshotter& snapshots();
  const store_layout& layout() const;
  hard_state last_state() const;
  std::optional<snapshot_marker> last_snapshot() const;
  status close();

 private:
  struct impl;
  explicit encrypted_log(std::unique_ptr<impl> state);
  std::unique_ptr<impl> impl_;
};

// Read-only: what a restart would read (no lock taken, nothing repaired or renamed).
result<recovered_state> read_store(const std::string& data_dir,
                                   const std::shared_ptr<const payload_codec>& codec);

// Whether data_dir holds an encrypted store, a plaintext one, or none (errc::not_found).
result<store_layout> detect_layout(const std::string& data_dir);

// Key generations that retained records after the newest usable snapshot, and that snapshot,
// were sealed with (inspect only, no decryption). Rotation retires a key only when unused.
result<std::vector<std::uint32_t>> key_generations_in_use(const std::string& data_dir);

}  // namespace raftvault::raftlog
