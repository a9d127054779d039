// Internals shared by encrypted_log.cpp (writing), store_bootstrap.cpp (create/open/read) and
// key_usage.cpp. Not part of the public interface.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "raftlog/encrypted_log.h"

namespace raftvault::raftlog {

struct encrypted_log::impl {
  store_layout layout;
  log_options options;
  std::shared_ptr<const payload_codec> codec;
  std::unique_ptr<wal> log;
  snapshotter snaps{std::string()};
  hard_state last_state;
  std::optional<snapshot_marker> last_snapshot;
  bool closed = false;
};

namespace detail {

// The newest .snap in `snap_dir` whose marker is one of `allowed`, opened by `codec`
// (nullopt when no file qualifies). A file failing its checks is skipped — and renamed
// .broken when `rename_broken` — but a snapshot the codec cannot open is an error, returned
// as is: never fall back to an older state. `codec` null: no decryption (inspection only).
// `damaged` (read-only, may be null): the error of the newest file skipped, if any.
result<std::optional<snapshot>> load_newest_snapshot(const std::string& snap_dir,
                                                     const std::vector<snapshot_marker>& allowed,
                                                     const payload_codec* codec,
                                                     bool rename_broken,
                                                     std::optional<error>* damaged = nullptr);

// A WAL that does not read from the older state chosen because the newest snapshot was
// damaged: that snapshot is the cause, and the WAL's own error ("index gap", "no segment
// starts at or before") would send the operator to a healthy file. `wal_error` as is when no
// snapshot was skipped.
error blame_damaged_snapshot(const error& wal_error, const std::optional<error>& damaged);

// Opens every stored entry in place; an error names the directory once (the cipher's error
// already names the entry's index and term).
status open_entries(const payload_codec& codec, const std::string& wal_dir,
                    std::vector<entry>& entries);

}  // namespace detail
}  // namespace raftvault::raftlog
