// Test-only fault hook of the file layer: make the Nth call of one kind fail with an errno.
// Production code never arms it; it costs one relaxed atomic load per call when disarmed.
#pragma once

namespace raftvault::fileio {

enum class op {
  open, write, read, fdatasync, fsync, fsync_dir, rename, preallocate, truncate, unlink,
  lock, mkdir, chmod,
};

// The `nth` call (1-based, counted from now) of kind `kind` fails with `sys_errno`, and with
// `sticky` every later call of that kind fails too (a dead disk).
void inject_fault(op kind, int nth, int sys_errno, bool sticky = false);
void clear_faults();

// Called by the file layer before each system call: returns the errno to fail with, or 0.
int fault_for(op kind);

}  // namespace raftvault::fileio
