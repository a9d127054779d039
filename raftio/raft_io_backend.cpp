#include "raftio/raft_io_backend.h"

#include <algorithm>
#include <cstring>

#include "raftio/raft_records.h"

namespace raftvault::raftio {

raft_io_backend::raft_io_backend(uv_loop_t* loop, actors::blocking_storage& storage)
    : storage_(storage),
      queue_(std::make_unique<loop_queue>(loop)),
      bridge_(std::make_unique<storage_bridge>(storage.system(), storage.handle())) {
  slot_.owner = this;
}

raft_io_backend::~raft_io_backend() {
  bridge_.reset();
  raft_uv_close(&slot_.io);
}

result<std::unique_ptr<raft_io_backend>> raft_io_backend::create(uv_loop_t* loop, const std::string& uv_dir,
                                                                raft_uv_transport* transport,
                                                                actors::blocking_storage& storage) {
  std::unique_ptr<raft_io_backend> out(new raft_io_backend(loop, storage));
  raft_io* io = out->io();
  if (int rv = raft_uv_init(io, loop, uv_dir.c_str(), transport); rv != 0)
    return error(errc::io, "raft_uv_init " + uv_dir + ": " + raft_strerror(rv) + ": " + io->errmsg);
  out->uv_close_ = io->close;
  io->close = &raft_io_backend::close;
  io->load = &raft_io_backend::load;
  io->bootstrap = &raft_io_backend::bootstrap;
  io->recover = &raft_io_backend::recover;
  io->set_term = &raft_io_backend::set_term;
  io->set_vote = &raft_io_backend::set_vote;
  io->append = &raft_io_backend::append;
  io->truncate = &raft_io_backend::truncate;
  io->snapshot_put = &raft_io_backend::snapshot_put;
  io->snapshot_get = &raft_io_backend::snapshot_get;
  return out;
}

int raft_io_backend::failed(const error& err, int code) {
  const auto text = err.describe();
  std::snprintf(slot_.io.errmsg, RAFT_ERRMSG_BUF_SIZE, "%s", text.c_str());
  return code;
}

hard_state raft_io_backend::current_state() {
  if (raft_) commit_ = std::max(commit_, std::min<std::uint64_t>(raft_last_applied(raft_), last_index_));
  return {term_, vote_, commit_};
}

int raft_io_backend::write_state() {
  const auto state = current_state();
  if (auto written = bridge_->append_now(state, {}); !written) return failed(written.error());
  written_commit_ = state.commit;
  return 0;
}

int raft_io_backend::load(raft_io* io, raft_term* term, raft_id* voted_for, raft_snapshot** snapshot,
                          raft_index* start_index, raft_entry** entries, size_t* n_entries) {
  auto& self = of(io);
  auto recovered = self.storage_.recover();
  if (!recovered) return self.failed(recovered.error());
  for (auto& e : self.written_before_load_) {
    while (!recovered->entries.empty() && recovered->entries.back().index >= e.index) recovered->entries.pop_back();
    recovered->entries.push_back(std::move(e));
  }
  self.written_before_load_.clear();
  if (!self.state_before_load_.empty()) recovered->state = self.state_before_load_;
  self.term_ = recovered->state.term;
  self.vote_ = recovered->state.vote;
  self.commit_ = self.written_commit_ = recovered->state.commit;
  *snapshot = nullptr;
  std::uint64_t base = 0;
  if (recovered->snap) {
    auto snap = to_raft_snapshot(*recovered->snap);
    if (!snap) return self.failed(snap.error(), RAFT_CORRUPT);
    *snapshot = *snap;
    base = recovered->snap->metadata.index;
    self.snapshot_ = std::move(*recovered->snap);
  }
  std::size_t n = 0;
  auto loaded = to_raft_entries(recovered->entries, n);
  if (!loaded) {
    free_raft_snapshot(*snapshot);
    *snapshot = nullptr;
    return self.failed(loaded.error(), RAFT_CORRUPT);
  }
  *entries = *loaded;
  *n_entries = n;
  *start_index = recovered->entries.empty() ? base + 1 : recovered->entries.front().index;
  self.last_index_ = recovered->entries.empty() ? base : recovered->entries.back().index;
  *term = self.term_;
  *voted_for = self.vote_;
  return 0;
}

int raft_io_backend::bootstrap(raft_io* io, const raft_configuration* conf) {
  auto& self = of(io);
  auto st = self.storage_.status_report();
  if (!st) return self.failed(st.error());
  if (st->last_index != 0 || st->snapshot_index != 0 || !st->state.empty())
    return self.failed(error(errc::invalid_argument,
                             "bootstrap refused: the store holds state already (last index " +
                                 std::to_string(st->last_index) + ", term " + std::to_string(st->state.term) + ")"),
                       RAFT_CANTBOOTSTRAP);
  raft_buffer encoded{};
  if (int rv = raft_configuration_encode(conf, &encoded); rv != 0) return rv;
  entry first;
  first.index = 1;
  first.term = 1;
  first.type = entry_type::conf_change;
  first.data.assign(static_cast<const char*>(encoded.base), encoded.len);
  raft_free(encoded.base);
  if (auto written = self.bridge_->append_now({1, 0, 0}, {first}); !written)
    return self.failed(written.error());
  self.written_before_load_.push_back(std::move(first));
  self.state_before_load_ = {1, 0, 0};
  self.term_ = 1;
  self.last_index_ = 1;
  return 0;
}

int raft_io_backend::recover(raft_io* io, const raft_configuration* conf) {
  auto& self = of(io);
  auto st = self.storage_.status_report();
  if (!st) return self.failed(st.error());
  raft_buffer encoded{};
  if (int rv = raft_configuration_encode(conf, &encoded); rv != 0) return rv;
  entry forced;
  forced.index = st->last_index + 1;
  forced.term = st->state.term;
  forced.type = entry_type::conf_change;
  forced.data.assign(static_cast<const char*>(encoded.base), encoded.len);
  raft_free(encoded.base);
  if (auto written = self.bridge_->append_now({}, {forced}); !written) return self.failed(written.error());
  self.written_before_load_.push_back(std::move(forced));
  return 0;
}

int raft_io_backend::set_term(raft_io* io, raft_term term) {
  auto& self = of(io);
  self.term_ = term;
  self.vote_ = 0;
  return self.write_state();
}

int raft_io_backend::set_vote(raft_io* io, raft_id server_id) {
  auto& self = of(io);
  self.vote_ = server_id;
  return self.write_state();
}

int raft_io_backend::append(raft_io* io, raft_io_append* req, const raft_entry entries[], unsigned n,
                            raft_io_append_cb cb) {
  auto& self = of(io);
  if (self.closing_) return RAFT_CANCELED;
  std::vector<entry> stored;
  stored.reserve(n);
  for (unsigned i = 0; i < n; ++i) stored.push_back(to_stored_entry(entries[i], self.last_index_ + 1 + i));
  self.last_index_ += n;
  // A commit only travels when it moved: most appends carry none, as etcd's do.
  hard_state state = self.current_state();
  if (state.commit == self.written_commit_) {
    state = {};
  } else {
    self.written_commit_ = state.commit;
  }
  ++self.in_flight_;
  auto* queue = self.queue_.get();
  self.bridge_->append(std::move(state), std::move(stored), {[&self, queue, req, cb](status done) {
                         queue->post([&self, req, cb, done] {
                           --self.in_flight_;
                           cb(req, done ? 0 : self.failed(done.error()));
                           self.finish_close_when_idle();
                         });
                       }});
  return 0;
}

int raft_io_backend::truncate(raft_io* io, raft_index index) {
  auto& self = of(io);
  self.last_index_ = index - 1;
  return 0;
}

int raft_io_backend::snapshot_put(raft_io* io, unsigned trailing, raft_io_snapshot_put* req,
                                  const raft_snapshot* snapshot, raft_io_snapshot_put_cb cb) {
  auto& self = of(io);
  if (self.closing_) return RAFT_CANCELED;
  auto stored = std::make_shared<raftvault::snapshot>(to_stored_snapshot(*snapshot));
  // trailing > 0: a local snapshot, keep `trailing` entries before it; 0: a leader's snapshot
  // replaces the log, and raft appends from its index + 1 next.
  const std::uint64_t release_to = trailing > 0 && snapshot->index > trailing ? snapshot->index - trailing : 0;
  if (trailing == 0) self.last_index_ = snapshot->index;
  ++self.in_flight_;
  auto* queue = self.queue_.get();
  self.bridge_->save_snapshot(*stored, release_to, {[&self, queue, req, cb, stored](status done) {
                                queue->post([&self, req, cb, stored, done] {
                                  --self.in_flight_;
                                  if (done) self.snapshot_ = *stored;
                                  cb(req, done ? 0 : self.failed(done.error()));
                                  self.finish_close_when_idle();
                                });
                              }});
  return 0;
}

int raft_io_backend::snapshot_get(raft_io* io, raft_io_snapshot_get* req, raft_io_snapshot_get_cb cb) {
  auto& self = of(io);
  if (!self.snapshot_) return self.failed(error(errc::not_found, "no snapshot has been stored"), RAFT_NOTFOUND);
  auto snap = to_raft_snapshot(*self.snapshot_);
  if (!snap) return self.failed(snap.error(), RAFT_CORRUPT);
  raft_snapshot* out = *snap;
  ++self.in_flight_;
  self.queue_->post([&self, req, cb, out] {
    --self.in_flight_;
    cb(req, out, 0);
    self.finish_close_when_idle();
  });
  return 0;
}

void raft_io_backend::close(raft_io* io, raft_io_close_cb cb) {
  auto& self = of(io);
  self.closing_ = true;
  self.raft_close_cb_ = cb;
  self.finish_close_when_idle();
}

void raft_io_backend::finish_close_when_idle() {
  if (!closing_ || in_flight_ > 0 || !uv_close_) return;
  // The commit travels with the next write; the last one goes now, so the store's tools
  // (status, dump) see every applied entry as committed. Best effort: raft is closing.
  if (term_ > 0 && current_state().commit != written_commit_) write_state();
  auto uv_close = std::exchange(uv_close_, nullptr);
  uv_close(&slot_.io, &raft_io_backend::uv_closed);
}

void raft_io_backend::uv_closed(raft_io* io) {
  auto& self = of(io);
  self.queue_->close([io, &self] {
    if (self.raft_close_cb_) self.raft_close_cb_(io);
  });
}

}  // namespace raftvault::raftio
