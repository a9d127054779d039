// raftvault's public API, everything a consensus service embedding it needs (docs/embedding.md):
// the pipeline's options and spawn, the storage actor's messages, the blocking wrapper for
// programs that do not use CAF, the raft value types, errors and the storage status.
// Installed as <raftvault/raftvault.h>; the headers it pulls in are installed beside it only
// because these declarations need them.
#pragma once

#include "actors/config.h"
#include "actors/pipeline.h"
#include "actors/storage.h"
#include "codec/error_types.h"
#include "codec/raft_types.h"
