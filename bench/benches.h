// The subcommands of raftvault-bench. Each returns the process exit code: 0 on success, 1 when
// the run failed (the error is printed to stderr). Results go to stdout (table or JSON).
#pragma once

#include "bench/options.h"
#include "bench/report.h"
#include "bench/scratch_dir.h"

namespace raftvault::bench {

int run_wal_bench(const wal_options& options);
// The wal bench's runs in `scratch` and their report (`all` runs it too).
result<report> measure_wal(const wal_options& options, scratch_dir& scratch);
int run_ceiling_bench(const ceiling_options& options);
int run_recovery_bench(const recovery_options& options);
int run_all_bench(const all_options& options);
int run_raw_bench(const raw_options& options);
int run_pipeline_bench(const pipeline_options& options);
// --alternate-plaintext (pipeline_alternate.cpp); run_pipeline_bench dispatches to it.
int run_pipeline_alternate(const pipeline_options& options);

}  // namespace raftvault::bench
