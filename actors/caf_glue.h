// What CAF needs to carry raftvault's values in messages, and the bridge between
// raftvault::error and caf::error (errors cross actor boundaries as caf::error:
// docs/design.md, "Errors").
#pragma once

#include <caf/all.hpp>

#include "codec/error_types.h"
#include "codec/raft_types.h"

// The pipeline runs in one process: values are passed, never serialized.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(raftvault::entry)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<raftvault::entry>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(raftvault::hard_state)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(raftvault::snapshot)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(raftvault::snapshot_marker)

namespace raftvault::actors {

// caf::error category of every raftvault error.
constexpr caf::atom_value kErrorCategory = caf::atom("raftvault");

caf::error to_caf(const raftvault::error& err);
// Restores category and message; a foreign CAF error (e.g. an actor that died) becomes
// errc::closed with CAF's rendering of it.
raftvault::error from_caf(const caf::error& err);
// Registers the renderer so actor_system::render(err) prints "category: message".
void register_error_category(caf::actor_system_config& config);

}  // namespace raftvault::actors
