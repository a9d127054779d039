// The corruption sweep's second opinion on a sample of its cases: the same damage on a fresh
// copy of the store, read by the real binary (`raftvault verify` and `raftvault dump --json`,
// each with a deadline) and by the real restart (encrypted_log::open, which repairs a torn
// tail, then a second read). Both must agree with the in-process verdict, exit 0 or 1 (never a
// signal, a usage error or a hang), and a repaired store must read the same afterwards.
#pragma once

#include <string>

#include "reliability/sweep_mutation.h"
#include "reliability/sweep_read.h"
#include "reliability/sweep_stores.h"

namespace raftvault::reliability {

// `first` is the in-process verdict of `m`; `dir` a scratch path for the copy.
verdict spot_check(const std::string& bin_dir, const sweep_store& store, const mutation& m,
                   const verdict& first, const std::string& dir);

}  // namespace raftvault::reliability
