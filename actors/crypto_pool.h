// The crypto pool: workers that seal batches of entries in parallel, so that sealing overlaps
// the WAL writer's writes and a large batch is sealed by all workers at once (the storage sends
// it in one piece per worker). Workers are stateless: each request carries the codec chosen
// when the storage accepted the batch (which is how a rotation's barrier works: a batch
// accepted before it carries C, one after carries P). Log order is restored by the storage
// (order of acceptance), never by the order in which workers finish.
#pragma once

#include <vector>

#include <caf/typed_actor.hpp>

#include "actors/atoms.h"
#include "actors/caf_glue.h"
#include "actors/snapshot_writer.h"  // codec_ptr

namespace raftvault::actors {

// A worker's answer: the sealed entries and each one's data CRC-32C (crc32c_update(0, data)),
// computed here while the data is hot, so the WAL writer chains them on instead of reading
// every byte again (raftlog::wal::append with data CRCs).
struct sealed_entries {
  std::vector<entry> entries;
  std::vector<std::uint32_t> data_crcs;
};

}  // namespace raftvault::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(raftvault::actors::sealed_entries)

namespace raftvault::actors {

using crypto_worker_actor = caf::typed_actor<
    // Plain entries -> sealed entries, all or nothing.
    caf::replies_to<seal_atom, codec_ptr, std::vector<entry>>::with<sealed_entries>>;

// `worker_index` names the worker (and keeps CAF 0.17 from spawning a function with an empty
// argument tuple, which dereferences a null shared_ptr: UBSan reports it).
crypto_worker_actor::behavior_type crypto_worker(std::size_t worker_index);

std::vector<crypto_worker_actor> spawn_crypto_pool(caf::actor_system& system, std::size_t workers);

}  // namespace raftvault::actors
