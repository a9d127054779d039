#include "actors/thread_priority.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

namespace raftvault::actors {
namespace {

id_t this_thread_id() { return static_cast<id_t>(::syscall(SYS_gettid)); }

}  // namespace

int this_thread_nice() {
  errno = 0;  // getpriority returns -1 both for an error and for nice -1
  const int nice = ::getpriority(PRIO_PROCESS, this_thread_id());
  return errno == 0 ? nice : 0;
}

void lower_this_thread_priority(std::uint64_t nice) {
  if (nice == 0 || nice > 19) return;
  if (static_cast<int>(nice) <= this_thread_nice()) return;
  (void)::setpriority(PRIO_PROCESS, this_thread_id(), static_cast<int>(nice));
}

}  // namespace raftvault::actors
