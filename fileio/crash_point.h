// Named crash points: a test child process stops dead (_exit, no destructors, no flush) when
// it reaches the point it was told to. Armed by the environment variable
// RAFTVAULT_CRASH_AT=name[:N] (stop at the Nth time `name` is reached, default 1) or by
// arm_crash_point() in a forked child.
#pragma once

#include <string>

namespace raftvault::fileio {

constexpr int kCrashExitCode = 86;

void crash_point(const char* name);
void arm_crash_point(const std::string& name, int nth = 1);
void disarm_crash_point();

}  // namespace raftvault::fileio
