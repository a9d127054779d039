// The load raftvault-bench puts on a store in the kill and disk-fault campaigns, and the check
// that the store, reopened as a restart does, holds everything the bench acknowledged
// (`raftvault-bench pipeline --ack-log`: one line per acknowledged append, its last durable
// index).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "codec/error.h"
#include "raftlog/encrypted_log.h"

namespace raftvault::reliability {

// The bench's load: small appends from a few producers, rotations every few hundred ms (each
// with a forced snapshot, the release of old segments and two key file replaces), small
// segments so that cuts are frequent.
struct bench_load {
  std::uint64_t producers = 4;
  std::uint64_t batch = 4;
  std::uint64_t entry_size = 256;
  std::uint64_t snapshot_size = 16 << 10;
  std::uint64_t segment_size = 128 << 10;
  std::string rotate_every = "200ms";  // empty: no rotations

  // `raftvault-bench pipeline` arguments: the load on `store` (created when missing, appended
  // to after its last index otherwise) for `seconds`, acknowledgements appended to `ack_log`.
  std::vector<std::string> bench_args(const std::string& store, const std::string& ack_log,
                                      double seconds) const;
};

struct ack_summary {
  std::uint64_t lines = 0;
  std::uint64_t highest = 0;  // the highest index any acknowledgement reported durable
};
// errc::corruption naming the line when a line is not one decimal number (a torn line would
// mean the log itself lost an acknowledgement). A missing file is an empty log.
result<ack_summary> read_ack_log(const std::string& path);

// A case's verdict: ok, and the outcome and its class for the table.
struct verdict {
  bool ok = true;
  std::string outcome;
  std::string outcome_class;
};

// `raftvault verify --data-dir DIR` through the real binary (output files under `work_dir`).
struct verify_run {
  bool ok = false;         // exit 0
  bool torn_tail = false;  // "result: repairable (torn tail)": the next open truncates it
  std::string detail;      // the result line, or the error
};
verify_run run_verify(const std::string& bin_dir, const std::string& data_dir, const std::string& work_dir);

// Opens the store as a restart does (actors::open_store: a torn tail is repaired, nothing is
// created) and closes it again: what the restart recovered.
result<raftlog::recovered_state> reopen_store(const std::string& data_dir);

// Whether `recovered` is what the bench wrote and holds everything acknowledged: entries
// contiguous after the snapshot, term 1, each the bench's payload; the snapshot the bench's
// provider's; the last index at or above the highest acknowledged one.
verdict check_acknowledged(const raftlog::recovered_state& recovered, const ack_summary& acks,
                           const bench_load& load);

// The whole check after a crash: verify (before any repair), reopen, check_acknowledged.
// `recovered`, when given, receives what the reopen recovered.
verdict check_after_crash(const std::string& bin_dir, const std::string& data_dir,
                          const std::string& ack_path, const bench_load& load,
                          const std::string& work_dir,
                          raftlog::recovered_state* recovered = nullptr);

// Every regular file under `dir` (relative path -> bytes): a source or store that must not
// change is compared before and after.
std::map<std::string, std::string> tree_contents(const std::string& dir);

// How two recovered logs differ in metadata, snapshot or entries ("" when they do not).
std::string log_difference(const raftlog::recovered_state& before, const raftlog::recovered_state& after);

}  // namespace raftvault::reliability
