// A store's directories are 0700 and its files 0600 when raftvault makes them, but a copy or a
// restore (cp, tar, rsync under another umask) can leave them open to group or others. The
// log holds secrets (all of a plaintext store; an encrypted store's indexes, terms, sizes and
// hard state), so readers report such modes and writers take group and other access away.
// keys/ is stricter: key_store refuses a keys directory or key file open to group or others.
#pragma once

#include <string>
#include <vector>

#include "codec/error.h"
#include "raftlog/store_layout.h"

namespace raftvault::raftlog {

struct loose_permission {
  std::string path;
  unsigned mode = 0;       // as found, permission bits only
  bool directory = false;
  unsigned private_mode() const { return mode & ~077u; }
};

// The data, WAL and snap directories and the entries directly inside the latter two (segments,
// .snap files, the lock file, .broken copies) that group or others may access. Symbolic links
// and other kinds of files are left out; a directory that cannot be listed is an error.
result<std::vector<loose_permission>> find_loose_permissions(const store_layout& layout);

// Takes group and other access away from each of them (owner bits kept); returns what changed.
result<std::vector<loose_permission>> make_permissions_private(const store_layout& layout);

}  // namespace raftvault::raftlog
