// The subcommands of raftvault-bench. Each returns the process exit code: 0 on success, 1 when
// the run failed (the error is printed to stderr). Results go to stdout (table or JSON).
#pragma once

#include "bench/options.h"

namespace raftvault::bench {

int run_wal_bench(const wal_options& options);
int run_raw_bench(const raw_options& options);
int run_pipeline_bench(const pipeline_options& options);
// --alternate-plaintext (pipeline_alternate.cpp); run_pipeline_bench dispatches to it.
int run_pipeline_alternate(const pipeline_options& options);

}  // namespace raftvault::bench
