// raftvault-bench recovery: a restart of an encrypted store, warm and cold (recovery.h).
#include <cstdio>

#include "bench/benches.h"
#include "bench/recovery.h"

namespace raftvault::bench {

int run_recovery_bench(const recovery_options& o) {
  auto fail = [](const error& e) {
    std::fprintf(stderr, "raftvault-bench recovery: %s\n", e.describe().c_str());
    return 1;
  };
  auto scratch = scratch_dir::open(o.data_dir);
  if (!scratch) return fail(scratch.error());
  auto measured = measure_recovery(*scratch, o);
  if (!measured) return fail(measured.error());
  report rep("raftvault-bench recovery: " + std::to_string(measured->payload_bytes) + " B of " +
             std::to_string(o.size) + " B entries, cipher " + to_string(o.cipher));
  rep.add_json("bench", "recovery");
  add_recovery(rep, o, *measured);
  if (auto emitted = emit(rep, o.json, o.json_file); !emitted) return fail(emitted.error());
  if (!o.json && !measured->cold_seconds) std::printf("  cold: not measured, %s\n", measured->cold_skipped.c_str());
  return 0;
}

}  // namespace raftvault::bench
