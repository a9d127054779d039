// A program started with one of fds 0-2 closed (`raftvault init >&-`) hands that number to the
// next file it opens, and whatever it then prints lands in that file: an unlock key in
// keys/LOCK. Every program calls protect_standard_fds() first in main, before anything opens a
// file.
#pragma once

#include "codec/error.h"

namespace raftvault::fileio {

struct standard_fds_state {
  bool stdin_closed = false;
  bool stdout_closed = false;
  bool stderr_closed = false;
};

// Puts a stand-in on each of fds 0, 1 and 2 that is closed: /dev/null for stdin (end of input)
// and stderr, /dev/full for stdout, so that output meant for a closed stdout fails as on a full
// disk instead of vanishing while the command reports success. Returns which were closed (also
// kept for standard_fds_at_start()); errc::io when no stand-in can be opened.
result<standard_fds_state> protect_standard_fds();

// What protect_standard_fds() found (all open before it ran).
const standard_fds_state& standard_fds_at_start();

}  // namespace raftvault::fileio
