#include "raftio/loop_queue.h"

namespace raftvault::raftio {

loop_queue::loop_queue(uv_loop_t* loop) {
  uv_async_init(loop, &async_, &loop_queue::on_wake);
  async_.data = this;
}

void loop_queue::post(std::function<void()> work) {
  {
    std::lock_guard<std::mutex> guard(mutex_);
    if (closing_) return;
    work_.push_back(std::move(work));
  }
  uv_async_send(&async_);
}

void loop_queue::drain() {
  std::deque<std::function<void()>> ready;
  {
    std::lock_guard<std::mutex> guard(mutex_);
    ready.swap(work_);
  }
  for (auto& work : ready) work();
}

void loop_queue::on_wake(uv_async_t* handle) { static_cast<loop_queue*>(handle->data)->drain(); }

void loop_queue::close(std::function<void()> closed) {
  drain();
  {
    std::lock_guard<std::mutex> guard(mutex_);
    closing_ = true;
  }
  closed_ = std::move(closed);
  uv_close(reinterpret_cast<uv_handle_t*>(&async_), &loop_queue::on_closed);
}

void loop_queue::on_closed(uv_handle_t* handle) {
  auto* self = static_cast<loop_queue*>(handle->data);
  auto closed = std::move(self->closed_);
  if (closed) closed();
}

}  // namespace raftvault::raftio
