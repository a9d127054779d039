// Work handed to a libuv loop's thread from any thread: raft_io's callbacks must run on the
// loop thread, and never before the method that started the work returned. Posts coalesce
// into one uv_async wake-up.
#pragma once

#include <uv.h>

#include <deque>
#include <functional>
#include <mutex>

namespace raftvault::raftio {

class loop_queue {
 public:
  explicit loop_queue(uv_loop_t* loop);
  loop_queue(const loop_queue&) = delete;
  loop_queue& operator=(const loop_queue&) = delete;

  // Any thread; ignored once close began.
  void post(std::function<void()> work);
  // Loop thread: runs what is queued, closes the handle, then `closed`.
  void close(std::function<void()> closed);

 private:
  static void on_wake(uv_async_t* handle);
  static void on_closed(uv_handle_t* handle);
  void drain();

  uv_async_t async_{};
  std::mutex mutex_;
  std::deque<std::function<void()>> work_;
  bool closing_ = false;
  std::function<void()> closed_;
};

}  // namespace raftvault::raftio
