#include "reliability/sweep_spot_check.h"

#include "reliability/sweep_process.h"

namespace raftvault::reliability {
namespace {

constexpr double kCliTimeoutSeconds = 30;

bool is_refusal(const verdict& v) { return v.outcome_class.rfind("refused", 0) == 0; }
bool reads_reference(const verdict& v) {
  return v.outcome_class == "identical" || v.outcome_class == "torn tail repaired, nothing lost";
}

std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

// A CLI run that crashed, hung or answered with a usage error.
std::optional<verdict> broken_run(const char* command, const process_result& r) {
  const std::string what = std::string("raftvault ") + command + ": " + describe_end(r);
  if (r.timed_out) return verdict{"CLI HANG", what, false};
  if (r.signal != 0) return verdict{"CLI CRASH", what, false};
  if (r.exit_code != 0 && r.exit_code != 1)
    return verdict{"CLI WRONG EXIT CODE", what + ": " + first_line(r.err), false};
  return std::nullopt;
}

// The real restart: opens (repairing a torn tail), closes, reads again.
verdict check_restart(const sweep_store& store, const std::string& dir, const verdict& first) {
  auto keys = open_keys(dir, store.kek.get(), store.cipher);
  raftlog::recovered_state opened;
  std::optional<error> failure = keys ? std::nullopt : std::optional<error>(keys.error());
  if (keys) {
    auto log = raftlog::encrypted_log::open(dir, keys->codec, opened);
    if (!log) failure = log.error();
    else if (auto closed = (*log)->close(); !closed) failure = closed.error();
  }
  if (failure) {
    if (is_refusal(first)) return {"spot check agrees", "restart refused: " + std::string(to_string(failure->code())), true};
    return {"RESTART DISAGREES", "the sweep read it, the restart refused: " + failure->message(), false};
  }
  if (is_refusal(first))
    return {"RESTART DISAGREES", "the sweep's read refused it (" + first.outcome + "), the restart opened it", false};
  if (reads_reference(first)) {
    if (auto d = content_difference(store.reference, opened); !d.empty())
      return {"RESTART DISAGREES", "the restart read other content: " + d, false};
  }
  const store_reading again = read_as_restart(dir, keys->codec);
  if (again.failure) return {"RESTART DISAGREES", "after the restart the store is refused: " + again.failure->message(), false};
  if (!again.torn.empty()) return {"RESTART DISAGREES", "the restart left a torn tail: " + again.torn, false};
  if (auto d = content_difference(opened, again.content); !d.empty())
    return {"RESTART DISAGREES", "a second restart reads other content: " + d, false};
  return {"spot check agrees", "restart opened it", true};
}

verdict compare_with_cli_and_restart(const std::string& bin_dir, const sweep_store& store,
                                     const mutation& m, const verdict& first, const std::string& dir) {
  std::string saved;
  if (auto copied = copy_store(store.dir, dir); !copied) return {"HARNESS ERROR", copied.error().message(), false};
  if (auto applied = apply(dir, m, saved); !applied) return {"HARNESS ERROR", applied.error().message(), false};
  const std::string binary = bin_dir + "/raftvault";
  const auto verify = run_process(binary, cli_args(store, dir, {"verify"}), {}, kCliTimeoutSeconds);
  if (auto broken = broken_run("verify", verify)) return *broken;
  const auto dump = run_process(binary, cli_args(store, dir, {"dump", "--json"}), {}, kCliTimeoutSeconds);
  if (auto broken = broken_run("dump", dump)) return *broken;
  const bool dump_same = dump.exit_code == 0 && dump.out == store.reference_dump;
  // A case that crashed or hung in process has no verdict to agree with: the CLI runs above
  // (no crash, no hang) are the whole check.
  const bool judged = first.ok || first.outcome_class.rfind("SILENT", 0) == 0;
  const bool verify_ok = verify.exit_code == 0;
  const bool verify_torn = verify.out.find("result: repairable (torn tail)") != std::string::npos;
  const std::string cli = "verify exit " + std::to_string(verify.exit_code) +
                          (verify_torn ? " (repairable)" : "") + ", dump exit " +
                          std::to_string(dump.exit_code) + (dump_same ? " (same dump)" : "");
  if (!judged) return {"spot check agrees", cli + " (no in-process verdict to compare)", true};
  if (is_refusal(first) && (verify_ok || dump.exit_code == 0))
    return {"CLI DISAGREES", "the sweep's read refused it, but " + cli, false};
  if (reads_reference(first) && !dump_same)
    return {"CLI DISAGREES", "the sweep read the reference, but " + cli + ": " + first_line(dump.err), false};
  if (first.outcome_class == "torn tail repaired, nothing lost" && verify_ok && !verify_torn)
    return {"CLI DISAGREES", "verify calls a torn tail ok: " + cli, false};
  verdict restart = check_restart(store, dir, first);
  restart.outcome = cli + "; " + restart.outcome;
  return restart;
}

}  // namespace

verdict spot_check(const std::string& bin_dir, const sweep_store& store, const mutation& m,
                   const verdict& first, const std::string& dir) {
  verdict v = compare_with_cli_and_restart(bin_dir, store, m, first, dir);
  v.outcome = relative(v.outcome, dir);
  return v;
}

}  // namespace raftvault::reliability
