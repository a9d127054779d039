// Copies of the key store's DEKs that the pipeline can share across threads: the key store's
// borrowed views are only valid until its next rotation call, while a crypto worker may still
// be sealing with the old key. Each copy lives in guarded memory and is wiped when the last
// codec referring to it goes away.
#pragma once

#include <optional>

#include "keys/key_store.h"
#include "raftlog/payload_codec.h"

namespace raftvault::actors {

result<raftlog::held_key> hold_copy(codec::key_ref key);

// The codec a store opens with: seals with P when a rotation is pending (the barrier of an
// interrupted rotation is the restart itself), else with C; opens with {C} or {C, P}.
result<std::shared_ptr<const raftlog::payload_codec>> codec_for(const keys::key_store& store,
                                                                codec::cipher cipher);

}  // namespace raftvault::actors
