// canonical raft's raft_io with a raftvault store as its disk (docs/raft-io.md).
//
// raft_uv, initialised in place, keeps the network, the timers and the randomness; the storage
// methods are replaced by ones that go to the storage actor through one ordered bridge. (A copy
// of a raft_uv-initialised raft_io cannot be used: raft_uv keeps a pointer to the struct it was
// initialised with.) load, bootstrap, recover, set_term and set_vote block until durable;
// append, snapshot_put and snapshot_get answer on the loop thread through a loop_queue.
// truncate takes effect in the storage with the next append, which raft always makes from the
// truncated index: a crash before it leaves the old, uncommitted suffix, a state raft itself
// could have crashed in (it never acknowledged anything built on the truncation).
#pragma once

#include "raftio/raft_c.h"

#include <memory>
#include <optional>
#include <string>

#include "actors/pipeline.h"
#include "raftio/loop_queue.h"
#include "raftio/storage_bridge.h"

namespace raftvault::raftio {

class raft_io_backend {
 public:
  // `storage` must outlive the backend. `uv_dir` is raft_uv's own scratch directory (its init
  // probes it); the log never goes there.
  static result<std::unique_ptr<raft_io_backend>> create(uv_loop_t* loop, const std::string& uv_dir,
                                                         raft_uv_transport* transport,
                                                         actors::blocking_storage& storage);
  ~raft_io_backend();
  raft_io_backend(const raft_io_backend&) = delete;
  raft_io_backend& operator=(const raft_io_backend&) = delete;

  raft_io* io() { return &slot_.io; }
  // The raft instance on io(): the hard state records its applied index as the commit (every
  // applied entry is committed, and the FSM applies in order), so a restart knows it too.
  void attach(struct raft* r) { raft_ = r; }

 private:
  // Standard layout with the raft_io first: a raft_io* raft hands back leads to its owner.
  struct slot {
    raft_io io;
    raft_io_backend* owner;
  };
  raft_io_backend(uv_loop_t* loop, actors::blocking_storage& storage);
  static raft_io_backend& of(raft_io* io) { return *reinterpret_cast<slot*>(io)->owner; }

  static int load(raft_io* io, raft_term* term, raft_id* voted_for, raft_snapshot** snapshot,
                  raft_index* start_index, raft_entry** entries, size_t* n_entries);
  static int bootstrap(raft_io* io, const raft_configuration* conf);
  static int recover(raft_io* io, const raft_configuration* conf);
  static int set_term(raft_io* io, raft_term term);
  static int set_vote(raft_io* io, raft_id server_id);
  static int append(raft_io* io, raft_io_append* req, const raft_entry entries[], unsigned n,
                    raft_io_append_cb cb);
  static int truncate(raft_io* io, raft_index index);
  static int snapshot_put(raft_io* io, unsigned trailing, raft_io_snapshot_put* req,
                          const raft_snapshot* snapshot, raft_io_snapshot_put_cb cb);
  static int snapshot_get(raft_io* io, raft_io_snapshot_get* req, raft_io_snapshot_get_cb cb);
  static void close(raft_io* io, raft_io_close_cb cb);
  static void uv_closed(raft_io* io);

  // The hard state to write now; its commit never goes back and never passes the log.
  hard_state current_state();
  int failed(const error& err, int code = RAFT_IOERR);
  int write_state();
  void finish_close_when_idle();

  slot slot_{};
  actors::blocking_storage& storage_;
  std::unique_ptr<loop_queue> queue_;
  std::unique_ptr<storage_bridge> bridge_;
  struct raft* raft_ = nullptr;
  void (*uv_close_)(raft_io*, raft_io_close_cb) = nullptr;
  raft_io_close_cb raft_close_cb_ = nullptr;
  bool closing_ = false;
  std::size_t in_flight_ = 0;
  std::uint64_t term_ = 0;
  std::uint64_t vote_ = 0;
  std::uint64_t commit_ = 0;
  std::uint64_t written_commit_ = 0;  // in the last hard state handed to the storage
  std::uint64_t last_index_ = 0;      // as raft sees its log: truncations included
  std::optional<snapshot> snapshot_;  // the newest durable one, for snapshot_get
  // What bootstrap or recover wrote before load: the storage's recovered state is the one it
  // opened with, so load adds these to it.
  std::vector<entry> written_before_load_;
  hard_state state_before_load_;
};

}  // namespace raftvault::raftio
