// canonical raft's C headers, which declare no C++ linkage of their own.
#pragma once

extern "C" {
#include <raft.h>
#include <raft/uv.h>
}
