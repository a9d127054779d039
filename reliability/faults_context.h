// The disk-fault campaign's pieces (reliability/README.md, "faults"): how a disk is made to
// fail — a small tmpfs filled so that an operation runs out of space part-way, or the fault
// hook (RAFTVAULT_FAULT, fileio/fault_injection.h) failing the Nth call of one kind — and the
// cases for the offline commands and for the actor pipeline under load.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "reliability/kill_context.h"

namespace raftvault::reliability {

struct disk_fault {
  std::string label;          // in case names: "tmpfs, 25% of its need free" or the hook value
  std::string hook;           // RAFTVAULT_FAULT value; empty: a full tmpfs
  double free_share = 0;      // tmpfs: the share of the operation's need left free
  std::string errno_text;     // what the error line must say, e.g. "No space left on device"
  bool uses_tmpfs() const { return hook.empty(); }
};

// Whether `line` (the command's error line) names the failure: a path and the errno's text.
bool names_the_failure(const std::string& line, const std::string& errno_text);
// Whether a child's stderr says that an injected fault fired.
bool fault_fired(const std::string& err_path);
std::string read_text(const std::string& path);
// A number or string field of a one-line JSON object (raftvault-bench --json).
std::optional<std::uint64_t> json_number(const std::string& json, const std::string& key);
std::string json_string(const std::string& json, const std::string& key);
// Bytes allocated on disk by the files under `dir` (preallocated segments included).
std::uint64_t allocated_bytes(const std::string& dir);

// import, export and rotate-dek running out of space (or failing a call) part-way.
void run_offline_fault_cases(kill_context& ctx, bool tmpfs_available, campaign_result& result);
// EIO on the WAL's write/fdatasync under load, ENOSPC at a segment cut and at a snapshot.
void run_pipeline_fault_cases(kill_context& ctx, bool tmpfs_available, campaign_result& result);

}  // namespace raftvault::reliability
