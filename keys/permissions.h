// Refuses key material that other users could read: directories must be 0700-or-stricter and
// key files 0600-or-stricter. The message names the path and the mode found.
#pragma once

#include <string>

#include "codec/error.h"

namespace raftvault::keys {

::raftvault::status check_private_dir(const std::string& path);
::raftvault::status check_private_file(const std::string& path);

}  // namespace raftvault::keys
