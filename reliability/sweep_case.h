// One case of the corruption sweep, in process: damage a working copy of a store, read it as a
// restart does, judge it against the reference, undo the damage.
#pragma once

#include <string>

#include "reliability/sweep_mutation.h"
#include "reliability/sweep_read.h"
#include "reliability/sweep_stores.h"

namespace raftvault::reliability {

// Reads the damaged store in `dir` as a restart does (the key file too when the damage is in
// keys/) and judges it against `store`'s reference.
verdict judge_damaged(const sweep_store& store, const std::string& dir, const mutation& m);

// apply + judge_damaged + undo (skipped when `keep_damage`: a run of ever shorter truncations
// of one file). `needs_reset` is set when the damage could not be applied or undone.
verdict run_case(const sweep_store& store, const std::string& dir, const mutation& m,
                 bool keep_damage, bool& needs_reset);

}  // namespace raftvault::reliability
