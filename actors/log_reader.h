// The log reader: reads entries back from the WAL's segment files (pread, CRC check) and opens
// them with the codec it is given, off the storage actor's thread, so a lagging follower's
// catch-up read never holds back appends or their replies.
//
// Happy path: read(located entries, codec) -> the decrypted entries. Failure modes: a segment
// released after the locations were taken -> errc::compacted naming the indexes (never
// garbage); a damaged frame -> errc::corruption naming file and offset; a payload no held key
// opens -> wrong_key / missing_key naming the entry.
#pragma once

#include <string>
#include <vector>

#include <caf/typed_actor.hpp>

#include "actors/atoms.h"
#include "actors/caf_glue.h"
#include "actors/snapshot_writer.h"  // codec_ptr
#include "raftlog/entry_index.h"

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(raftvault::raftlog::located_entries)

namespace raftvault::actors {

using log_reader_actor = caf::typed_actor<
    caf::replies_to<read_atom, raftlog::located_entries, codec_ptr>::with<std::vector<entry>>>;

log_reader_actor::behavior_type log_reader(std::string wal_dir);

}  // namespace raftvault::actors
