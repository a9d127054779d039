#include "reliability/sweep_case.h"

namespace raftvault::reliability {

verdict judge_damaged(const sweep_store& store, const std::string& dir, const mutation& m) {
  if (m.file.rfind("keys/", 0) != 0) return judge(store.reference, read_as_restart(dir, store.keys.codec), dir);
  auto keys = open_keys(dir, store.kek.get(), store.cipher);
  if (!keys) return refused(keys.error(), dir);
  const std::string changed = key_difference(store.keys, *keys);
  if (changed.empty()) return {"identical", "same key file contents", true};
  // The key file opened with other contents: only the log can still catch it.
  verdict v = judge(store.reference, read_as_restart(dir, keys->codec), dir);
  if (v.outcome_class == "identical")
    return {"SILENT CHANGE: key file", "opens with " + changed + "; the log reads the same", false};
  if (v.ok) {
    v.outcome_class.replace(0, std::string("refused").size(), "refused (log, key file opened)");
    v.outcome = "key file opens with " + changed + "; then: " + v.outcome;
  }
  return v;
}

verdict run_case(const sweep_store& store, const std::string& dir, const mutation& m,
                 bool keep_damage, bool& needs_reset) {
  std::string saved;
  if (auto applied = apply(dir, m, saved); !applied) {
    needs_reset = true;
    return {"HARNESS ERROR", "could not damage: " + applied.error().message(), false};
  }
  verdict v = judge_damaged(store, dir, m);
  if (keep_damage) return v;
  if (auto undone = undo(dir, store.dir, m, saved); !undone) {
    needs_reset = true;
    v.outcome += " [harness could not undo: " + undone.error().message() + "]";
  }
  return v;
}

}  // namespace raftvault::reliability
