// Pipeline options for tests that drive every actor on CAF's test coordinator, on the test's
// own thread (pipeline_options.detach_io = false). detach_io only keeps the I/O actors off
// their own threads; the rules a test does not want are switched off here, by name, so that
// every other rule runs as in production.
#pragma once

#include "actors/config.h"

namespace raftvault::testing {

inline void drive_on_coordinator(actors::pipeline_options& options) {
  options.detach_io = false;
  // No linger or step-pause timers: the tests run what is queued (sched.run()) and trigger
  // only the timeouts they expect (the linger tests use the coordinator's timeouts).
  options.group_commit_linger_us = 0;
  options.rotation_step_pause_us = 0;
  // The automatic mode decides on the wall clock; the tests count groups.
  options.group_commit_mode = actors::group_mode_setting::whole;
  // The background actors run on the test's own thread, which must keep its priority.
  options.background_nice = 0;
}

}  // namespace raftvault::testing
