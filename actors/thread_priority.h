// The CPU priority of the pipeline's background threads (raftvault.background-nice).
//
// The snapshot writer and the key rotator spend most of their CPU in the kernel (fsyncs,
// renames, directory fsyncs: on a VM each device request is a trap to the hypervisor) while
// appends wait for the scheduler's workers and the WAL writer on the same cores. At a higher
// nice value they still finish (CFS never starves a runnable thread), but yield the cores to
// the append path first, so a DEK rotation takes less of the appends' throughput. Linux keeps
// a nice value per thread.
#pragma once

#include <cstdint>

namespace raftvault::actors {

// Raises the calling thread's nice value to `nice` (0-19); never lowers it (that would need a
// privilege and would raise the thread above the rest of the process). 0: unchanged.
// Best effort: a failure leaves the thread at its priority, which is correct, only slower.
void lower_this_thread_priority(std::uint64_t nice);

// The calling thread's nice value.
int this_thread_nice();

}  // namespace raftvault::actors
