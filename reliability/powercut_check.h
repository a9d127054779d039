// The powercut campaign's check of one cut: the tree a power cut left, reopened as a restart
// would, against everything acknowledged before the cut.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "fileio/power_cut.h"
#include "reliability/powercut_workload.h"

namespace raftvault::reliability::powercut {

// Everything acknowledged before a position of the recording, folded.
struct acknowledged_state {
  bool created = false;
  std::map<std::uint64_t, entry_digest> entries;
  hard_state state;                   // the highest term and commit acknowledged
  std::uint64_t snapshot_index = 0;   // the newest snapshot acknowledged (a rotation's too)
  std::uint64_t released_to = 0;
  std::uint32_t dek_generation = 0;   // the newest DEK a rotation reported (0: none)
  std::optional<acknowledgement> kek;  // the newest KEK change acknowledged
};
acknowledged_state acknowledged_before(const workload_run& run, std::size_t position);

// A refusal the torn-tail rule accepts as its price; the campaign then checks the same cut
// without the unsynced writes, to prove nothing acknowledged was in them.
inline constexpr const char* kRefusedOutOfOrder = "refused: unsynced write persisted out of order";

struct cut_verdict {
  bool ok = true;
  std::string outcome_class;  // the table's row
  std::string detail;         // what was found
};

// Checks the store materialised under `root` (the recording's root) against what `run`
// acknowledged before `position`. With `restart`, also runs the whole pipeline on it: recover,
// append, a DEK rotation (which resumes an interrupted one), and a last reopen.
// `kept` is what the cut kept of the unsynced writes, `scattered` whether they were kept out
// of order: then, and only then, a refusal naming damage in bytes no fsync covered is the
// torn-tail rule's documented price (docs/wal-format.md, "Torn tails"), not a violation.
cut_verdict check_cut(const std::string& root, const workload_run& run, std::size_t position,
                      bool restart, const fileio::cut_summary& kept, bool scattered);

}  // namespace raftvault::reliability::powercut
