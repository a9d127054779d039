// The CLI's side of raftlog/store_permissions.h: the commands that only read a store warn about
// directories and files open to group or others; the commands that change it make them private
// first and say what they changed (stderr, one line per directory or group of files).
#pragma once

#include "codec/error.h"
#include "raftlog/store_layout.h"

namespace raftvault::cli {

void warn_loose_permissions(const raftlog::store_layout& layout);

status make_store_private(const raftlog::store_layout& layout);

}  // namespace raftvault::cli
