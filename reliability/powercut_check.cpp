#include "reliability/powercut_check.h"

#include <algorithm>
#include <cstdlib>
#include <memory>

#include "actors/pipeline.h"
#include "fileio/file.h"
#include "keys/key_file.h"
#include "keys/unlock_key.h"
#include "raftlog/encrypted_log.h"
#include "raftlog/wal_format.h"

namespace raftvault::reliability::powercut {
namespace {

cut_verdict violation(const std::string& what, const std::string& detail) {
  return {false, "VIOLATION: " + what, detail};
}

// The unlock key the key file at `path` opens with, under the rules of what was acknowledged:
// not older than the newest acknowledged KEK change, and the very key of that change unless a
// later (unacknowledged) change of the workload's replaced it.
struct key_choice {
  std::optional<keys::unlock_key> kek;  // none: the file is unlocked
  std::optional<cut_verdict> refused;
  // The file is locked under the key of an autolock on not yet answered at the cut: the
  // service was never shown it (the check knows it from the reply that came later).
  bool key_never_shown = false;
};

bool answered_after(const workload_run& run, std::size_t position, const std::string& key) {
  return std::any_of(run.acks.begin(), run.acks.end(), [&](const acknowledgement& a) {
    return a.what == acknowledgement::kind::kek && a.key_from_store && a.unlock_key == key &&
           a.position > position;
  });
}

key_choice choose_unlock_key(const std::string& path, const workload_run& run,
                             const acknowledged_state& acked, std::size_t position) {
  key_choice out;
  auto text = fileio::read_file(path);
  if (!text) {
    out.refused = violation("key file unreadable", text.error().describe());
    return out;
  }
  auto summary = keys::peek_key_file(*text, path);
  if (!summary) {
    out.refused = violation("key file damaged", summary.error().describe());
    return out;
  }
  if (acked.kek && summary->kek_version < acked.kek->kek_version) {
    out.refused = violation("acknowledged KEK change lost",
                            "kek-version " + std::to_string(summary->kek_version) + " < acknowledged " +
                                std::to_string(acked.kek->kek_version));
    return out;
  }
  const bool as_acknowledged = acked.kek && summary->kek_version == acked.kek->kek_version;
  if (!summary->locked) {
    if (as_acknowledged && !acked.kek->unlock_key.empty())
      out.refused = violation("acknowledged lock undone", path + " is unlocked at kek-version " +
                                                              std::to_string(summary->kek_version));
    return out;
  }
  std::vector<std::string> candidates;
  if (as_acknowledged) {
    candidates.push_back(acked.kek->unlock_key);
  } else {
    candidates = run.unlock_keys;
  }
  for (const auto& candidate : candidates) {
    if (candidate.empty()) continue;
    auto key = keys::unlock_key::parse(candidate);
    if (!key) continue;
    auto opened = keys::decode_key_file(*text, &*key, path);
    if (opened) {
      out.kek = std::move(*key);
      out.key_never_shown = answered_after(run, position, candidate);
      return out;
    }
    if (opened.error().code() != errc::wrong_key) {
      out.refused = violation("key file refused", opened.error().describe());
      return out;
    }
  }
  out.refused = violation("key file locked under no key the service holds",
                          path + " at kek-version " + std::to_string(summary->kek_version));
  return out;
}

// Every acknowledged entry is in the recovered state: after the snapshot identical, at or
// below it in the snapshot's contents.
std::optional<cut_verdict> check_entries(const raftlog::recovered_state& recovered,
                                         const acknowledged_state& acked) {
  std::map<std::uint64_t, entry_digest> covered;
  std::uint64_t snap_index = 0;
  if (recovered.snap) {
    snap_index = recovered.snap->metadata.index;
    if (!parse_snapshot_data(recovered.snap->data, covered))
      return violation("snapshot contents damaged", "snapshot at " + std::to_string(snap_index));
  }
  std::map<std::uint64_t, entry_digest> present;
  std::uint64_t expect = snap_index + 1;
  for (const auto& e : recovered.entries) {
    if (e.index != expect)
      return violation("entries not contiguous", "index " + std::to_string(e.index) + " where " +
                                                     std::to_string(expect) + " was expected");
    ++expect;
    present[e.index] = digest_of(e);
  }
  for (const auto& [index, digest] : acked.entries) {
    const auto& where = index <= snap_index ? covered : present;
    auto found = where.find(index);
    if (found == where.end())
      return violation("acknowledged entry lost",
                       "index " + std::to_string(index) + " (snapshot at " + std::to_string(snap_index) +
                           ", last recovered " + std::to_string(expect - 1) + ")");
    if (!(found->second == digest))
      return violation("acknowledged entry changed", "index " + std::to_string(index));
  }
  return std::nullopt;
}

// The store's own checks against the acknowledged hard state, snapshot and keys.
std::optional<cut_verdict> check_opened(const actors::opened_store& store, const std::string& data_dir,
                                        const acknowledged_state& acked) {
  const auto& recovered = store.recovered;
  if (auto lost = check_entries(recovered, acked)) return lost;
  if (recovered.state.commit < acked.state.commit || recovered.state.term < acked.state.term)
    return violation("hard state behind the acknowledged one",
                     "commit " + std::to_string(recovered.state.commit) + " < " + std::to_string(acked.state.commit));
  const std::uint64_t snap_index = recovered.snap ? recovered.snap->metadata.index : 0;
  if (snap_index < acked.snapshot_index)
    return violation("acknowledged snapshot lost", "restart uses snapshot " + std::to_string(snap_index) +
                                                       ", acknowledged " + std::to_string(acked.snapshot_index));
  const auto keys = store.keys->status();
  if (keys.current_generation < acked.dek_generation)
    return violation("acknowledged DEK rotation undone",
                     "current DEK " + std::to_string(keys.current_generation) + " < reported " +
                         std::to_string(acked.dek_generation));
  auto in_use = raftlog::key_generations_in_use(data_dir);
  if (!in_use) return violation("key usage unreadable", in_use.error().describe());
  std::vector<std::uint32_t> held;
  for (const auto& k : store.keys->key_set()) held.push_back(k.generation);
  for (std::uint32_t g : *in_use)
    if (std::find(held.begin(), held.end(), g) == held.end())
      return violation("a needed key is gone", "DEK " + std::to_string(g) + " seals a retained record");
  return std::nullopt;
}

bool repaired_a_tail(const std::string& wal_dir) {
  auto names = fileio::list_dir(wal_dir);
  if (!names) return false;
  return std::any_of(names->begin(), names->end(), [](const std::string& n) {
    return n.size() > std::string(raftlog::kBrokenSuffix).size() &&
           n.compare(n.size() - std::string(raftlog::kBrokenSuffix).size(), std::string::npos,
                     raftlog::kBrokenSuffix) == 0;
  });
}

// The whole pipeline on the cut store, as the service would run it after the restart: it
// appends one entry at a time (each a new index a rotation's snapshot can reach) and asks for
// DEK rotations until the rotator is idle with one key. A rotation pending or requested before
// the cut resumes at start-up and may answer the first request while the one it left flagged
// still runs; a snapshot provider asked too early says "nothing applied", and the service
// applies more and asks again.
std::optional<cut_verdict> restart_and_rotate(const actors::pipeline_options& options,
                                              const keys::unlock_key* kek, acknowledged_state acked) {
  auto applied = std::make_shared<content_model>();
  {
    auto opened = actors::blocking_storage::open(options, kek);
    if (!opened) return violation("restart refused", opened.error().describe());
    auto& store = **opened;
    auto recovered = store.recover();
    if (!recovered) return violation("restart refused", recovered.error().describe());
    std::map<std::uint64_t, entry_digest> before;
    if (recovered->snap) parse_snapshot_data(recovered->snap->data, before);
    for (const auto& e : recovered->entries) before[e.index] = digest_of(e);
    for (const auto& [i, d] : before) applied->add(d);
    store.register_snapshot_provider(store.system().spawn(content_provider, applied));
    // A torn tail may keep a new term's entries without the hard state written after them.
    std::uint64_t term = std::max<std::uint64_t>(1, recovered->state.term);
    if (!recovered->entries.empty()) term = std::max(term, recovered->entries.back().term);
    if (recovered->snap) term = std::max(term, recovered->snap->metadata.term);
    hard_state state{term, recovered->state.vote, recovered->state.commit};
    std::string rotation_state = "none asked";
    for (int attempt = 0; attempt < 4 && rotation_state != "{C}"; ++attempt) {
      entry e;
      e.index = applied->last() + 1;
      e.term = state.term;
      e.data = "after the cut " + std::to_string(e.index);
      applied->add(digest_of(e));
      acked.entries[e.index] = digest_of(e);
      state.commit = std::max(state.commit, e.index - 1);
      if (auto appended = store.append(state, {e}); !appended)
        return violation("append after restart refused", appended.error().describe());
      auto report = store.rotate_dek();
      if (!report && report.error().message().find("nothing applied") != std::string::npos) continue;
      if (!report) return violation("DEK rotation after restart failed", report.error().describe());
      auto status = store.status_report();
      if (!status) return violation("status after restart failed", status.error().describe());
      rotation_state = status->key_generations.size() == 1 ? status->rotation_state : "two keys held";
    }
    if (rotation_state != "{C}") return violation("rotations after restart never settled", rotation_state);
    if (auto closed = store.close(); !closed) return violation("close after restart failed", closed.error().describe());
  }
  auto reopened = actors::open_store(options, kek);
  if (!reopened) return violation("reopen after restart refused", reopened.error().describe());
  auto in_use = raftlog::key_generations_in_use(options.data_dir);
  const std::vector<std::uint32_t> current{reopened->keys->status().current_generation};
  if (!in_use || *in_use != current)
    return violation("a retired key is still needed", in_use ? "after the rotation" : in_use.error().describe());
  return check_entries(reopened->recovered, acked);
}

// Whether `refusal` names a file and byte offset at or past the first byte an unsynced write
// touched: damage there loses nothing that was durable.
bool damage_in_unsynced_bytes(const error& refusal, const std::string& root, const fileio::cut_summary& kept) {
  if (refusal.code() != errc::corruption) return false;
  const std::string& text = refusal.message();
  const std::string marker = " at byte offset ";
  const auto at = text.find(marker);
  if (at == std::string::npos) return false;
  const auto path_start = text.rfind(' ', at - 1);
  const std::string path = text.substr(path_start == std::string::npos ? 0 : path_start + 1,
                                       at - (path_start == std::string::npos ? 0 : path_start + 1));
  if (path.compare(0, root.size() + 1, root + "/") != 0) return false;
  const auto unsynced = kept.unsynced_from.find(path.substr(root.size() + 1));
  if (unsynced == kept.unsynced_from.end()) return false;
  const std::uint64_t offset = std::strtoull(text.c_str() + at + marker.size(), nullptr, 10);
  return offset >= unsynced->second;
}

}  // namespace

acknowledged_state acknowledged_before(const workload_run& run, std::size_t position) {
  acknowledged_state out;
  for (const auto& a : run.acks) {
    if (a.position > position) break;
    switch (a.what) {
      case acknowledgement::kind::created:
        out.created = true;
        break;
      case acknowledgement::kind::append:
        for (const auto& d : a.entries) out.entries[d.index] = d;
        out.state.term = std::max(out.state.term, a.state.term);
        out.state.commit = std::max(out.state.commit, a.state.commit);
        break;
      case acknowledgement::kind::snapshot:
        out.snapshot_index = std::max(out.snapshot_index, a.index);
        break;
      case acknowledgement::kind::release:
        out.released_to = std::max(out.released_to, a.index);
        break;
      case acknowledgement::kind::rotate_dek:
        out.snapshot_index = std::max(out.snapshot_index, a.index);
        out.dek_generation = std::max(out.dek_generation, a.generation);
        break;
      case acknowledgement::kind::kek:
        out.kek = a;
        break;
    }
  }
  return out;
}

cut_verdict check_cut(const std::string& root, const workload_run& run, std::size_t position,
                      bool restart, const fileio::cut_summary& kept, bool scattered) {
  const auto acked = acknowledged_before(run, position);
  auto options = run.options;
  options.data_dir = root + "/" + run.options.data_dir;
  options.create_if_missing = false;
  const std::string where = std::to_string(acked.entries.size()) + " entries acknowledged";

  auto layout = raftlog::detect_layout(options.data_dir);
  if (!acked.created) {
    // The service starts again as it did: creating the store if there is none.
    auto again = options;
    again.create_if_missing = true;
    auto opened = actors::open_store(again);
    // A creation the cut interrupted is finished or made again (actors/store_creation.h).
    if (!opened) return violation("half-made store refused", opened.error().describe());
    return {true, layout ? "half-made store opens (creation unacked)" : "store made anew (creation unacked)", ""};
  }
  if (!layout) return violation("store gone", layout.error().describe());

  auto key = choose_unlock_key(layout->keys_dir() + "/" + keys::key_store::kKeyFileName, run, acked, position);
  if (key.refused) return *key.refused;
  const keys::unlock_key* kek = key.kek ? &*key.kek : nullptr;
  {
    auto opened = actors::open_store(options, kek);
    if (!opened && scattered && damage_in_unsynced_bytes(opened.error(), root, kept))
      return {true, kRefusedOutOfOrder, opened.error().describe()};
    if (!opened) return violation("store refused to open", opened.error().describe());
    if (auto wrong = check_opened(*opened, options.data_dir, acked)) {
      wrong->detail += " (" + where + ")";
      return *wrong;
    }
  }
  std::string outcome = "acknowledged state intact";
  if (repaired_a_tail(layout->wal_dir())) outcome = "intact, torn tail repaired";
  // Intact, but locked under a key its service never received (reliability/README.md).
  if (key.key_never_shown) outcome = "intact, autolock key not yet shown";
  if (restart) {
    if (auto wrong = restart_and_rotate(options, kek, acked)) return *wrong;
    outcome += " + restart";
  }
  return {true, outcome, where};
}

}  // namespace raftvault::reliability::powercut
