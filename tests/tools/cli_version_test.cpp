// `raftvault --version`: the project's version and the libraries it runs on, for bug reports.
#include "cli_fixtures.h"

#include <sodium.h>

using namespace raftvault;
using namespace raftvault::testing;

TEST_CASE("raftvault --version names the project's version and CAF, libsodium, OpenSSL and protobuf",
          "[cli][version]") {
  for (const char* spelling : {"--version", "version"}) {
    auto shown = run_raftvault({spelling});
    INFO(shown.out << shown.err);
    CHECK(shown.exit_code == 0);
    CHECK_THAT(shown.out, Catch::StartsWith("raftvault 0.") &&
                              Catch::Contains("  CAF 0.17.") &&
                              Catch::Contains(std::string("  libsodium ") + sodium_version_string()) &&
                              Catch::Contains("  OpenSSL 3.") && Catch::Contains("  protobuf 3."));
  }
  auto usage = run_raftvault({"--help"});
  CHECK_THAT(usage.out, Catch::Contains("raftvault --version"));
}
