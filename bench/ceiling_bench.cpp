// raftvault-bench ceiling: what bounds the other benches, measured now (ceiling.h).
#include <cstdio>

#include "bench/benches.h"
#include "bench/ceiling.h"
#include "bench/report.h"
#include "bench/scratch_dir.h"

namespace raftvault::bench {

int run_ceiling_bench(const ceiling_options& o) {
  auto fail = [](const error& e) {
    std::fprintf(stderr, "raftvault-bench ceiling: %s\n", e.describe().c_str());
    return 1;
  };
  auto scratch = scratch_dir::open(o.data_dir);
  if (!scratch) return fail(scratch.error());
  ceiling_plan plan;
  plan.block = o.block;
  plan.seal_size = o.seal_size;
  plan.seconds_each = o.duration;
  auto measured = measure_ceilings(*scratch, plan);
  if (!measured) return fail(measured.error());
  report rep("raftvault-bench ceiling: durable writes of " + std::to_string(o.block) +
             " B, sealing " + std::to_string(o.seal_size) + " B entries, " +
             std::to_string(measured->cores) + " cores");
  rep.add_json("bench", "ceiling");
  add_ceilings(rep, *measured);
  if (auto emitted = emit(rep, o.json, o.json_file); !emitted) return fail(emitted.error());
  for (const auto& why : measured->unsupported)
    if (!o.json) std::printf("  not measured: %s\n", why.c_str());
  return 0;
}

}  // namespace raftvault::bench
