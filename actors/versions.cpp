#include "actors/versions.h"

#include <caf/config.hpp>
#include <google/protobuf/stubs/common.h>
#include <openssl/crypto.h>
#include <sodium.h>

#ifndef RAFTVAULT_VERSION
#error "RAFTVAULT_VERSION is set by actors/CMakeLists.txt"
#endif

namespace raftvault::actors {

std::string versions_text(std::string_view program) {
  std::string out = std::string(program) + " " + RAFTVAULT_VERSION + "\n";
  out += "  CAF " + std::to_string(CAF_MAJOR_VERSION) + "." + std::to_string(CAF_MINOR_VERSION) +
         "." + std::to_string(CAF_PATCH_VERSION) + " (built with)\n";
  out += std::string("  libsodium ") + sodium_version_string() + "\n";
  out += std::string("  ") + OpenSSL_version(OPENSSL_VERSION) + "\n";
  out += "  protobuf " + google::protobuf::internal::VersionString(GOOGLE_PROTOBUF_VERSION) +
         " (built with)\n";
  return out;
}

}  // namespace raftvault::actors
