#include "bench/pipeline_open_loop.h"

#include <sys/prctl.h>

#include <algorithm>
#include <cmath>
#include <thread>

#include <caf/send.hpp>

namespace raftvault::bench {

arrival_schedule::clock_type::time_point arrival_schedule::at(std::uint64_t k) const {
  const long double nanos = static_cast<long double>(k) * 1e9L / static_cast<long double>(rate_);
  return start_ + std::chrono::nanoseconds(static_cast<std::int64_t>(std::llround(nanos)));
}

std::uint64_t arrival_schedule::due_by(clock_type::time_point now) const {
  if (now < start_) return 0;
  const long double elapsed = static_cast<long double>((now - start_).count()) *
                              clock_type::period::num / clock_type::period::den;
  auto k = static_cast<std::uint64_t>(std::floor(elapsed * static_cast<long double>(rate_))) + 1;
  // Rounding in at() may put arrival k-1 a nanosecond past `now` or arrival k at it.
  while (k > 0 && at(k - 1) > now) --k;
  while (at(k) <= now) ++k;
  return k;
}

open_loop_result run_open_loop(pipeline_load& load, const std::vector<caf::actor>& senders,
                               const arrival_schedule& schedule,
                               std::chrono::steady_clock::time_point ends, std::uint64_t cap_bytes) {
  using clock_type = std::chrono::steady_clock;
  // The kernel's default 50 us timer slack would make every short sleep late by that much.
  prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
  open_loop_result out;
  const std::uint64_t bytes = load.append_bytes();
  std::uint64_t k = 0;
  for (;; ++k) {
    const auto due = schedule.at(k);
    if (due >= ends || load.stopping || load.open_loop_failed) break;
    if (clock_type::now() < due) std::this_thread::sleep_until(due);
    if (load.outstanding_bytes.load() + bytes > cap_bytes && load.outstanding_bytes.load() > 0) {
      ++out.held;
      if (!load.wait_outstanding_below(cap_bytes, bytes, ends)) break;
    }
    load.outstanding_bytes.fetch_add(bytes);
    const auto lag = clock_type::now() - due;
    out.max_send_lag_us = std::max(out.max_send_lag_us, std::chrono::duration<double, std::micro>(lag).count());
    caf::anon_send(senders[k % senders.size()], arrival_atom::value,
                   static_cast<std::int64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(due - load.started).count()));
    ++out.sent;
  }
  const auto end = std::min(clock_type::now(), ends);
  const auto due = schedule.due_by(end);
  out.backlog = due > out.sent ? due - out.sent : 0;
  return out;
}

}  // namespace raftvault::bench
