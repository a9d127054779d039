// The snapshot writer: seals a snapshot with the codec it is given and writes the .snap file
// durably (temp, fsync, rename, directory fsync — raftlog::snapshotter), GCs old snapshots,
// deletes those sealed with a retired key and the WAL segments the snapshots made unneeded.
//
// Happy path: write -> marker of the durable file; the storage then has the WAL record written
// and old segments released. Failure modes: sealing or I/O errors are returned to the caller
// and leave no file under a final name; the previous snapshots are untouched.
//
// Runs detached: writing a large snapshot must not stall a scheduler worker or the WAL.
#pragma once

#include <memory>

#include <caf/typed_actor.hpp>

#include "actors/atoms.h"
#include "actors/caf_glue.h"
#include "raftlog/payload_codec.h"
#include "raftlog/snapshotter.h"

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::shared_ptr<const raftvault::raftlog::payload_codec>)

namespace raftvault::actors {

using codec_ptr = std::shared_ptr<const raftlog::payload_codec>;

using snapshot_writer_actor = caf::typed_actor<
    // Seals `plain` with the codec's sealing key and writes it durably -> its marker.
    caf::replies_to<snapshot_atom, snapshot, codec_ptr>::with<snapshot_marker>,
    // Keeps the newest N snapshot files up to the one just recorded in the WAL (newer ones
    // are a crashed save's leftovers: raftlog::snapshotter::gc).
    caf::replies_to<gc_atom, std::uint64_t, snapshot_marker>::with<bool>,
    // Deletes every snapshot file older than `keep` (the newest durable snapshot, which must
    // not need it) sealed with key generation `retired` or an older one -> files deleted.
    caf::replies_to<purge_atom, std::uint32_t, snapshot_marker>::with<std::uint64_t>,
    // Takes the WAL segments the WAL writer released (their paths, oldest first) out of the
    // log (renamed to X.wal.deleting, durable) -> how many were handed over; their space is
    // then given back in paced steps (give_back; the first one a pause later too), between
    // other requests. Here, off the WAL writer's thread, so no append waits for it; after a
    // failed rename nothing newer leaves the log before it (raftlog::segment_remover), so the
    // log never has a gap. A step that failed is retried (once), and its error returned, by
    // the next drop_segs.
    caf::replies_to<drop_segs_atom, std::vector<std::string>>::with<std::uint64_t>,
    // Internal: the next step of giving segments back (sent to itself, paced).
    caf::reacts_to<give_back_atom>>;

// `segment_delete_rate`: bytes/s at which released WAL segments are given back (0: at once).
// `nice`: the thread's nice value when detached (thread_priority.h; 0: unchanged).
snapshot_writer_actor::behavior_type snapshot_writer(snapshot_writer_actor::pointer self,
                                                     std::string snap_dir,
                                                     std::uint64_t segment_delete_rate,
                                                     std::uint64_t nice);

}  // namespace raftvault::actors
