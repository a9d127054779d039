// What a program of this project is and what it runs on, for `--version`: the project's
// version and the versions of CAF, libsodium, OpenSSL and protobuf (the runtime library's where
// it reports one, else the headers' it was built with).
#pragma once

#include <string>
#include <string_view>

namespace raftvault::actors {

// "PROGRAM 0.1.0\n  CAF 0.17.6 (built with)\n  libsodium 1.0.18\n ...", one line each.
std::string versions_text(std::string_view program);

}  // namespace raftvault::actors
