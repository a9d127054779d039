#include "fileio/fault_injection.h"

#include <array>
#include <atomic>
#include <mutex>

#include "fileio/io_counters.h"

namespace raftvault::fileio {
namespace {

constexpr std::size_t kKinds = static_cast<std::size_t>(op::chmod) + 1;

struct fault {
  int remaining = 0;  // calls until the fault fires; 0 = disarmed
  int sys_errno = 0;
  bool sticky = false;
  bool fired = false;
};

std::atomic<bool> any_armed{false};
std::mutex faults_mutex;
std::array<fault, kKinds> faults;

}  // namespace

void inject_fault(op kind, int nth, int sys_errno, bool sticky) {
  std::lock_guard<std::mutex> guard(faults_mutex);
  faults[static_cast<std::size_t>(kind)] = fault{nth, sys_errno, sticky, false};
  any_armed.store(true, std::memory_order_release);
}

void clear_faults() {
  std::lock_guard<std::mutex> guard(faults_mutex);
  faults = {};
  any_armed.store(false, std::memory_order_release);
}

int fault_for(op kind) {
  count_io_call(kind);
  if (!any_armed.load(std::memory_order_acquire)) return 0;
  std::lock_guard<std::mutex> guard(faults_mutex);
  auto& f = faults[static_cast<std::size_t>(kind)];
  if (f.fired) return f.sticky ? f.sys_errno : 0;
  if (f.remaining == 0) return 0;
  if (--f.remaining > 0) return 0;
  f.fired = true;
  return f.sys_errno;
}

}  // namespace raftvault::fileio
