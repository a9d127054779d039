// Process-wide counts of file-layer system calls by kind, for benchmarks and tests that need
// to report or assert how many fdatasyncs an operation cost. Observation only: nothing in the
// library branches on them. Counted at the fault hook every file-layer call passes through, so
// a call failed by an injected fault is counted too.
#pragma once

#include <cstdint>

#include "fileio/fault_injection.h"

namespace raftvault::fileio {

std::uint64_t io_call_count(op kind);
void reset_io_call_counts();

// Called by the fault hook once per file-layer call.
void count_io_call(op kind);

}  // namespace raftvault::fileio
