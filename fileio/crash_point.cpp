#include "fileio/crash_point.h"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <mutex>

#ifdef RAFTVAULT_COVERAGE
// libgcov's (./dev.sh coverage defines RAFTVAULT_COVERAGE): writes the counters, which _exit
// would lose.
extern "C" void __gcov_dump(void);
#endif

namespace raftvault::fileio {
namespace {

std::atomic<bool> armed{false};
std::mutex armed_mutex;
std::string armed_name;
int armed_remaining = 0;

// Arms from RAFTVAULT_CRASH_AT when the library is loaded, so an exec'd child needs no code.
struct arm_from_environment {
  arm_from_environment() {
    const char* spec = std::getenv("RAFTVAULT_CRASH_AT");
    if (spec == nullptr || *spec == '\0') return;
    std::string text(spec);
    int nth = 1;
    if (auto colon = text.rfind(':'); colon != std::string::npos) {
      nth = std::atoi(text.c_str() + colon + 1);
      text.resize(colon);
    }
    arm_crash_point(text, nth > 0 ? nth : 1);
  }
};
const arm_from_environment arm_at_load;

}  // namespace

void arm_crash_point(const std::string& name, int nth) {
  std::lock_guard<std::mutex> guard(armed_mutex);
  armed_name = name;
  armed_remaining = nth;
  armed.store(true, std::memory_order_release);
}

void disarm_crash_point() {
  std::lock_guard<std::mutex> guard(armed_mutex);
  armed.store(false, std::memory_order_release);
}

void crash_point(const char* name) {
  if (!armed.load(std::memory_order_acquire)) return;
  std::lock_guard<std::mutex> guard(armed_mutex);
  if (armed_name != name || --armed_remaining > 0) return;
  // Stop dead: no destructors, no stdio flush, no atexit; what is not on disk is lost. A
  // coverage build first saves its counters (its own .gcda files only), so that the code the
  // crash tests run before stopping is counted.
#ifdef RAFTVAULT_COVERAGE
  __gcov_dump();
#endif
  _exit(kCrashExitCode);
}

}  // namespace raftvault::fileio
