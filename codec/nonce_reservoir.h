// Random bytes for nonces, drawn from the CSPRNG a few KiB at a time per thread.
// libsodium's randombytes_buf is one getrandom(2) call per draw; an append of one entry seals
// one record, so at high append rates the system calls alone cost visible CPU. Each thread
// keeps a reservoir filled by one draw and hands out every byte exactly once. The nonces stay
// random (never a counter or derived from anything).
// Fork safety: the reservoir lives in a page marked MADV_WIPEONFORK, so a forked child finds
// it empty and draws its own; a child can never hand out the bytes its parent will. Where the
// kernel refuses the mark, every call draws directly (no reservoir).
#pragma once

#include <cstddef>

#include "codec/error.h"

namespace raftvault::codec {

// Fills `out` with `n` random bytes never handed out before (in this or any other process).
// Draws larger than half a reservoir go to the CSPRNG directly.
status random_nonce_bytes(unsigned char* out, std::size_t n);

}  // namespace raftvault::codec
