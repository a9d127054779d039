// Test-only fault hook of the file layer: make the Nth call of one kind fail with an errno.
// Production code never arms it; it costs one relaxed atomic load per call when disarmed.
//
// A test child process that is exec'd (a campaign running the real binaries) arms it through
// the environment, as RAFTVAULT_CRASH_AT arms crash points:
//   RAFTVAULT_FAULT=KIND:N:ERRNO[:sticky][,KIND:N:ERRNO[:sticky]...]
// e.g. `write:20:EIO` or `preallocate:3:ENOSPC:sticky`, calls counted from the start of the
// process. KIND is an op name below; ERRNO a name (EIO, ENOSPC, EDQUOT, EROFS, EFBIG, EACCES,
// EPERM, ENOMEM) or a number. Each fault armed this way says on stderr when it fires
// ("raftvault: RAFTVAULT_FAULT: write call 20 failed with EIO"), so a campaign can tell a
// fault that was never reached from one that was swallowed. A malformed value stops the
// process before main with exit code 2.
#pragma once

#include <string_view>

#include "codec/error.h"

namespace raftvault::fileio {

enum class op {
  open, write, read, fdatasync, fsync, fsync_dir, rename, preallocate, truncate, unlink,
  lock, mkdir, chmod,
};

// The `nth` call (1-based, counted from now) of kind `kind` fails with `sys_errno`, and with
// `sticky` every later call of that kind fails too (a dead disk).
void inject_fault(op kind, int nth, int sys_errno, bool sticky = false);
void clear_faults();

// Arms the faults of a RAFTVAULT_FAULT value (format above), counted from now, reporting each
// one as it fires. errc::invalid_argument naming the part at fault; nothing is armed then.
status arm_faults(std::string_view spec);

// Called by the file layer before each system call: returns the errno to fail with, or 0.
int fault_for(op kind);

}  // namespace raftvault::fileio
