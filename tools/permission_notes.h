// The CLI's side of raftlog/store_permissions.h: the commands that only read a store warn about
// directories and files open to group or others; the commands that change it make them private
// once their change is made, and say what they changed (stderr, one line per directory or group
// of files). A refused command changes no mode.
#pragma once

#include "raftlog/store_layout.h"

namespace raftvault::cli {

void warn_loose_permissions(const raftlog::store_layout& layout);

// A chmod that fails is a warning: the command's own change stands.
void make_store_private(const raftlog::store_layout& layout);

}  // namespace raftvault::cli
