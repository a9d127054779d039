// Runs the sweep's in-process cases in a forked child, so that a crash (a signal) or a hang of
// the code under test is one recorded case and not the end of the campaign. The child runs
// the cases in order and reports each verdict through a pipe; when it dies or stops answering
// (killed after the timeout), the parent records that case as CRASH or HANG, resets the
// damaged store and starts a new child at the next case.
#pragma once

#include <cstddef>
#include <functional>
#include <vector>

#include "reliability/sweep_read.h"

namespace raftvault::reliability {

// run(i) is called in the child; `needs_reset` set by it ends the child after that case (the
// harness could not undo its damage), and the parent resets before going on.
using isolated_case = std::function<verdict(std::size_t index, bool& needs_reset)>;

std::vector<verdict> run_isolated(std::size_t count, const isolated_case& run,
                                  const std::function<void()>& reset, double case_timeout_seconds);

}  // namespace raftvault::reliability
