// caf-application.ini text as an operator writes it: CAF 0.17's own parser fills a
// pipeline_config (the raftvault option group declared, values kept as written), then
// raftvault's read_options validates the group (actors/config).
// CAF's parser lives in Debian's libcaf_core, which is not instrumented: coverage guides the
// fuzzer through raftvault's validation, and ASan still checks every allocation CAF makes.
// Properties: read_options either refuses with invalid_argument naming a raftvault option, or
// returns options that are all within their documented ranges.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include "actors/config.h"
#include "fuzz/fuzz_support.h"

using namespace raftvault;
using namespace raftvault::actors;

namespace {

void expect_in_range(const pipeline_options& o) {
  const auto within = [](std::uint64_t v, std::uint64_t lo, std::uint64_t hi) {
    return v >= lo && v <= hi;
  };
  FUZZ_CHECK(!o.data_dir.empty(), "data-dir accepted empty");
  FUZZ_CHECK(within(o.segment_size, 64u << 10, 1ull << 40), "segment-size out of range");
  FUZZ_CHECK(within(o.max_inflight_bytes, 1u << 20, 1ull << 40), "max-inflight-bytes");
  FUZZ_CHECK(within(o.crypto_workers, 1, 64), "crypto-workers out of range");
  FUZZ_CHECK(within(o.crypto_inline_bytes, 0, 1ull << 30), "crypto-inline-bytes");
  FUZZ_CHECK(within(o.snapshot_keep, 1, 1000), "snapshot-keep out of range");
  FUZZ_CHECK(within(o.rotation_retry_ms, 1, 3'600'000), "rotation-retry-ms out of range");
  FUZZ_CHECK(within(o.group_commit_linger_us, 0, 1'000'000), "group-commit-linger-us");
  FUZZ_CHECK(within(o.group_commit_bytes, 0, 1ull << 40), "group-commit-bytes out of range");
  FUZZ_CHECK(o.segment_delete_rate == 0 || within(o.segment_delete_rate, 64u << 10, 1ull << 50),
             "segment-delete-rate out of range");
  FUZZ_CHECK(within(o.background_nice, 0, 19), "background-nice out of range");
  FUZZ_CHECK(within(o.rotation_step_pause_us, 0, 250'000), "rotation-step-pause-us");
  FUZZ_CHECK(o.cipher == codec::cipher::none || o.cipher == codec::cipher::secretbox ||
                 o.cipher == codec::cipher::xchacha20poly1305,
             "cipher out of range");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  pipeline_config config;
  std::istringstream ini(std::string(reinterpret_cast<const char*>(data), size));
  if (config.parse({}, ini)) return 0;  // CAF's own refusal of the syntax
  auto options = read_options(config);
  if (options) {
    expect_in_range(*options);
  } else {
    FUZZ_CHECK(options.error().code() == errc::invalid_argument &&
                   options.error().message().rfind("option raftvault", 0) == 0,
               "options refused as " + options.error().describe());
  }
  return 0;
}
