// The storage facade's snapshot jobs and segment release (see storage.h for the contract).
//
// Happy path: snapshot jobs run one at a time, in request order, each as these steps:
//   write_snapshot_file    seal with the codec in force, write the .snap durably (snapshot writer)
//   record_snapshot        the WAL record plus a hard state covering it, durable (WAL writer)
//   release_segments       the WAL writer forgets the segments opening at it no longer needs,
//                          the snapshot writer takes them out of the log
//   collect_old_snapshots  keep the newest snapshot-keep .snap files
//   finish_snapshot_job    answer, start the next job.
// Failure modes: a failed .snap write, release or GC answers the job with its error and the next
// job runs; a failed WAL record is the WAL writer's fail-stop, so the storage fail-stops too.
#include "actors/storage_state.h"

#include <algorithm>

namespace raftvault::actors {
namespace {

void finish_snapshot_job(storage_pointer self, std::uint64_t index, const caf::error* err) {
  auto& st = self->state;
  if (st.snapshots.empty()) return;  // fail_all answered it already
  auto job = std::move(st.snapshots.front());
  st.snapshots.pop_front();
  if (err) {
    job.promise.deliver(*err);
  } else {
    job.promise.deliver(index);
  }
  run_snapshot_jobs(self);
  maybe_close(self);
}

void collect_old_snapshots(storage_pointer self, snapshot_marker newest) {
  auto& st = self->state;
  self->request(st.snaps, caf::infinite, gc_atom::value, std::uint64_t{st.options.snapshot_keep},
                newest)
      .then([self, newest](bool) { finish_snapshot_job(self, newest.index, nullptr); },
            [self, newest](caf::error& e) { finish_snapshot_job(self, newest.index, &e); });
}

// The snapshot is what a restart opens at from now on.
void snapshot_recorded(storage_pointer self, snapshot_marker job) {
  auto& st = self->state;
  accept_snapshot(st.position, job);
  release_segments(self, job.index, [self, job](const caf::error* err) {
    if (err) return finish_snapshot_job(self, job.index, err);
    collect_old_snapshots(self, job);
  });
}

// `written`: the durable .snap file's marker; `job`: the snapshot's index and term.
void record_snapshot(storage_pointer self, snapshot_marker written, snapshot_marker job) {
  auto& st = self->state;
  // etcd's restart ignores a snapshot beyond the persisted commit: cover it.
  // From the newest hard state handed to the WAL writer, not the newest accepted: appends
  // still waiting for their hand-over (or their sealing) reach the WAL after this record, and
  // a commit written before the entries it covers would outlive them in a crash (raft refuses
  // a commit beyond the last index).
  // The snapshot's term is at most the accepted term (validate_snapshot), but may be above the
  // handed one: a term raised here starts with no vote, which the accepted hard state of that
  // term casts later (a vote kept from an older term would be a vote in this one nobody cast).
  hard_state covering = st.handed_state;
  covering.commit = std::max(covering.commit, job.index);
  if (job.term > covering.term) {
    covering.term = job.term;
    covering.vote = 0;
  }
  st.position.state.commit = std::max(st.position.state.commit, job.index);
  st.handed_state = covering;  // later hard states keep its commit (send_to_wal)
  self->request(st.wal, caf::infinite, snap_rec_atom::value, written, covering)
      .then([self, job](bool) { snapshot_recorded(self, job); },
            [self](caf::error& e) { fail_all(self, from_caf(e)); });
}

void write_snapshot_file(storage_pointer self, const snapshot& snap) {
  auto& st = self->state;
  const snapshot_marker job{snap.metadata.index, snap.metadata.term};
  self->request(st.snaps, caf::infinite, snapshot_atom::value, snap, st.codec)
      .then([self, job](snapshot_marker written) { record_snapshot(self, written, job); },
            [self, job](caf::error& e) { finish_snapshot_job(self, job.index, &e); });
}

}  // namespace

void run_snapshot_jobs(storage_pointer self) {
  auto& st = self->state;
  if (st.snapshots.empty()) return;
  write_snapshot_file(self, st.snapshots.front().snap);
}

void release_segments(storage_pointer self, std::uint64_t index,
                      std::function<void(const caf::error*)> done) {
  auto& st = self->state;
  self->request(st.wal, caf::infinite, release_atom::value, index)
      .then(
          [self, done](std::vector<std::string>& paths) {
            if (paths.empty()) return done(nullptr);
            self->request(self->state.snaps, caf::infinite, drop_segs_atom::value,
                          std::move(paths))
                .then([done](std::uint64_t) { done(nullptr); },
                      [done](caf::error& e) { done(&e); });
          },
          [done](caf::error& e) { done(&e); });
}

}  // namespace raftvault::actors
