// The kill campaign's part (a): a child stopped dead (_exit(86), RAFTVAULT_CRASH_AT=name:N) at
// every named crash point, by the program that reaches it (kill_crash_points.h), then the
// store checked, restarted under load and checked again.
#include <filesystem>
#include <fstream>
#include <sstream>

#include "fileio/crash_point.h"
#include "raftlog/migration.h"
#include "reliability/kill_child.h"
#include "reliability/kill_context.h"
#include "reliability/kill_crash_points.h"

#ifndef RAFTVAULT_SOURCE_DIR
#define RAFTVAULT_SOURCE_DIR ""
#endif

namespace raftvault::reliability {
namespace {

namespace fs = std::filesystem;
using std::chrono::seconds;

// How long a crash run may take before it counts as hung, and the load it runs under.
constexpr double kLoadSeconds = 20;
constexpr auto kDeadline = seconds(60);
// The restart after a crash: the pipeline reopens the store, resumes an interrupted rotation
// and appends again.
constexpr double kRestartSeconds = 0.4;

std::map<std::string, std::string> crash_env(const std::string& point, int nth) {
  return {{"RAFTVAULT_CRASH_AT", point + ":" + std::to_string(nth)}};
}

// The child's end, as a verdict when it did not stop at the point.
std::optional<verdict> unless_crashed(const result<child_exit>& ended, const std::string& err_path) {
  if (!ended) return verdict{false, ended.error().describe(), "VIOLATION: campaign error"};
  if (ended->exited_with(fileio::kCrashExitCode)) return std::nullopt;
  if (ended->exited_with(0))
    return verdict{false, "the run ended without reaching the point", "VIOLATION: crash point not reached"};
  return verdict{false, ended->describe() + ": " + last_line_of(err_path), "VIOLATION: the child failed"};
}

// Restarts the load on the store for a moment and checks again: the service starts on what
// the crash left (finishing an interrupted rotation) and loses nothing more.
verdict restart_and_check(const kill_context& ctx, const std::string& dir, verdict before) {
  auto restarted = run_child(ctx.bench, ctx.load.bench_args(dir + "/store", dir + "/acks", kRestartSeconds),
                             {}, dir + "/restart.out", dir + "/restart.err", kDeadline);
  if (!restarted || !restarted->exited_with(0))
    return {false,
            before.outcome + "; restart: " +
                (restarted ? restarted->describe() + ": " + last_line_of(dir + "/restart.err")
                           : restarted.error().describe()),
            "VIOLATION: the service does not restart"};
  verdict after = check_after_crash(ctx.options.bin_dir, dir + "/store", dir + "/acks", ctx.load, dir);
  if (!after.ok) {
    after.outcome = "after the restart: " + after.outcome;
    return after;
  }
  return {true, before.outcome + "; restarted: " + after.outcome, before.outcome_class};
}

verdict bench_load_case(kill_context& ctx, const std::string& dir, const std::string& point, int nth) {
  if (auto copied = ctx.copy_template(dir); !copied)
    return {false, copied.error().describe(), "VIOLATION: campaign error"};
  auto ended = run_child(ctx.bench, ctx.load.bench_args(dir + "/store", dir + "/acks", kLoadSeconds),
                         crash_env(point, nth), dir + "/bench.out", dir + "/bench.err", kDeadline);
  if (auto failed = unless_crashed(ended, dir + "/bench.err")) return *failed;
  verdict v = check_after_crash(ctx.options.bin_dir, dir + "/store", dir + "/acks", ctx.load, dir);
  if (!v.ok) return v;
  return restart_and_check(ctx, dir, v);
}

// The service's first start, stopped while it creates the store. Nothing can have been
// acknowledged; the restart must finish the store or make it again (actors/store_creation.h):
// a refusal would need an operator after a crash on a first start.
verdict bench_first_start_case(kill_context& ctx, const std::string& dir, const std::string& point, int nth) {
  const std::string store = dir + "/store", acks = dir + "/acks";
  auto ended = run_child(ctx.bench, ctx.load.bench_args(store, acks, kLoadSeconds), crash_env(point, nth),
                         dir + "/bench.out", dir + "/bench.err", kDeadline);
  if (auto failed = unless_crashed(ended, dir + "/bench.err")) return *failed;
  auto restarted = run_child(ctx.bench, ctx.load.bench_args(store, acks, kRestartSeconds), {},
                             dir + "/restart.out", dir + "/restart.err", kDeadline);
  if (!restarted || !restarted->exited_with(0)) {
    const std::string refusal = restarted ? restarted->describe() + ": " + last_line_of(dir + "/restart.err")
                                          : restarted.error().describe();
    return {false, "the restart after a first start cut at " + point + " failed: " + refusal,
            "VIOLATION: first start cut, restart refused"};
  }
  verdict v = check_after_crash(ctx.options.bin_dir, store, acks, ctx.load, dir);
  if (v.ok) v.outcome_class = "first start finished by the restart";
  return v;
}

verdict cli_rotate_dek_case(kill_context& ctx, const std::string& dir, const std::string& point, int nth) {
  if (auto copied = ctx.copy_template(dir); !copied)
    return {false, copied.error().describe(), "VIOLATION: campaign error"};
  const std::string store = dir + "/store";
  const std::vector<std::string> args{"rotate-dek", "--data-dir", store};
  auto ended = run_child(ctx.raftvault, args, crash_env(point, nth), dir + "/cli.out", dir + "/cli.err", kDeadline);
  if (auto failed = unless_crashed(ended, dir + "/cli.err")) return *failed;
  raftlog::recovered_state recovered;
  verdict v = check_after_crash(ctx.options.bin_dir, store, dir + "/acks", ctx.load, dir, &recovered);
  if (!v.ok) return v;
  if (auto diff = log_difference(ctx.template_content, recovered); !diff.empty())
    return {false, "after the crash: " + diff, "VIOLATION: the log changed"};
  auto rerun = run_child(ctx.raftvault, args, {}, dir + "/rerun.out", dir + "/rerun.err", kDeadline);
  if (!rerun || !rerun->exited_with(0))
    return {false, "rerun of rotate-dek: " + (rerun ? rerun->describe() + ": " + last_line_of(dir + "/rerun.err")
                                                    : rerun.error().describe()),
            "VIOLATION: rotate-dek cannot finish"};
  auto after = reopen_store(store);
  if (!after) return {false, "after the rerun: " + after.error().describe(), "VIOLATION: unopenable"};
  if (auto diff = log_difference(ctx.template_content, *after); !diff.empty())
    return {false, "after the rerun: " + diff, "VIOLATION: the log changed"};
  v.outcome += "; rotate-dek rerun completed, log unchanged";
  v.outcome_class = "rotate-dek: log unchanged, rerun completes";
  return restart_and_check(ctx, dir, v);
}

verdict cli_import_case(kill_context& ctx, const std::string& dir, const std::string& point, int nth) {
  const std::string target = dir + "/imported";
  const std::vector<std::string> args{"import", "--wal-dir", ctx.export_dir + "/wal", "--snap-dir",
                                      ctx.export_dir + "/snap", "--data-dir", target};
  auto ended = run_child(ctx.raftvault, args, crash_env(point, nth), dir + "/cli.out", dir + "/cli.err", kDeadline);
  if (auto failed = unless_crashed(ended, dir + "/cli.err")) return *failed;
  if (tree_contents(ctx.export_dir) != ctx.export_files)
    return {false, "the import's source changed", "VIOLATION: source changed"};
  std::string how;
  if (run_verify(ctx.options.bin_dir, target, dir).ok) {
    how = "the import was complete at the crash";
  } else {
    auto rerun = run_child(ctx.raftvault, args, {}, dir + "/rerun.out", dir + "/rerun.err", kDeadline);
    if (!rerun) return {false, rerun.error().describe(), "VIOLATION: campaign error"};
    if (rerun->exited_with(0)) {
      how = "the rerun imported";
    } else {
      // The documented way out of an interrupted import: remove the directory, import again.
      const std::string refusal = last_line_of(dir + "/rerun.err");
      std::error_code ec;
      fs::remove_all(target, ec);
      auto again = run_child(ctx.raftvault, args, {}, dir + "/again.out", dir + "/again.err", kDeadline);
      if (!again || !again->exited_with(0))
        return {false, "import fails even into a removed directory: " + last_line_of(dir + "/again.err"),
                "VIOLATION: import cannot be redone"};
      how = "the rerun refused (" + refusal + "); imported after removing the directory";
    }
  }
  auto imported = reopen_store(target);
  if (!imported) return {false, how + "; reopen: " + imported.error().describe(), "VIOLATION: unopenable"};
  if (auto diff = log_difference(ctx.export_content, *imported); !diff.empty())
    return {false, how + "; the import differs from its source: " + diff, "VIOLATION: the log changed"};
  return {true, how + "; source unchanged, the store holds the source's log",
          how.rfind("the rerun refused", 0) == 0 ? "import: redone in a removed dir, source ok"
                                                 : "import: completed, source ok"};
}

verdict cli_export_case(kill_context& ctx, const std::string& dir, const std::string& point, int nth) {
  if (auto copied = ctx.copy_template(dir); !copied)
    return {false, copied.error().describe(), "VIOLATION: campaign error"};
  const std::string store = dir + "/store", out = dir + "/out";
  const auto before = tree_contents(store);
  const std::vector<std::string> args{"export", "--data-dir", store, "--out", out};
  auto ended = run_child(ctx.raftvault, args, crash_env(point, nth), dir + "/cli.out", dir + "/cli.err", kDeadline);
  if (auto failed = unless_crashed(ended, dir + "/cli.err")) return *failed;
  if (tree_contents(store) != before) return {false, "the exported store changed", "VIOLATION: source changed"};
  auto rerun = run_child(ctx.raftvault, args, {}, dir + "/rerun.out", dir + "/rerun.err", kDeadline);
  if (!rerun) return {false, rerun.error().describe(), "VIOLATION: campaign error"};
  std::string how = "the rerun exported";
  std::string exported_to = out;
  if (!rerun->exited_with(0)) {
    // export refuses a non-empty OUT, and an interrupted one leaves its temp directories
    // there: the error says to choose a new path, which must then work.
    how = "the rerun refused (" + last_line_of(dir + "/rerun.err") + ")";
    exported_to = dir + "/new-out";
    auto again = run_child(ctx.raftvault, {"export", "--data-dir", store, "--out", exported_to}, {},
                           dir + "/again.out", dir + "/again.err", kDeadline);
    if (!again || !again->exited_with(0))
      return {false, how + "; an export to a new path failed too: " + last_line_of(dir + "/again.err"),
              "VIOLATION: export cannot be redone"};
    how += "; exported to a new path";
  }
  auto exported = raftlog::read_plain_etcd(exported_to + "/wal", exported_to + "/snap");
  if (!exported)
    return {false, how + "; the export does not read: " + exported.error().describe(),
            "VIOLATION: export cannot be redone"};
  if (auto diff = log_difference(ctx.template_content, *exported); !diff.empty())
    return {false, how + "; the export differs from the store: " + diff, "VIOLATION: the log changed"};
  return {true, how + "; store unchanged, the export holds its log",
          exported_to == out ? "export: store unchanged, rerun exports" : "export: store unchanged, new OUT needed"};
}

verdict library_only_case(const std::string& point) {
  const std::string tests = std::string(RAFTVAULT_SOURCE_DIR) + "/tests";
  std::error_code ec;
  for (fs::recursive_directory_iterator it(tests, ec), end; !ec && it != end; it.increment(ec)) {
    if (!it->is_regular_file()) continue;
    std::ifstream in(it->path());
    std::stringstream text;
    text << in.rdbuf();
    if (text.str().find("\"" + point + "\"") != std::string::npos)
      return {true, "no program reaches it; crashed at by " + fs::relative(it->path(), tests).string(),
              "library API only: covered by its unit test"};
  }
  return {false, "no program reaches it and no test under " + tests + " names it",
          "VIOLATION: crash point never exercised"};
}

verdict run_case(kill_context& ctx, crash_driver driver, const std::string& dir, const std::string& point, int nth) {
  switch (driver) {
    case crash_driver::bench_load: return bench_load_case(ctx, dir, point, nth);
    case crash_driver::bench_first_start: return bench_first_start_case(ctx, dir, point, nth);
    case crash_driver::cli_rotate_dek: return cli_rotate_dek_case(ctx, dir, point, nth);
    case crash_driver::cli_import: return cli_import_case(ctx, dir, point, nth);
    case crash_driver::cli_export: return cli_export_case(ctx, dir, point, nth);
    case crash_driver::library_only: return library_only_case(point);
  }
  return {false, "unknown driver", "VIOLATION: campaign error"};
}

// The table against the sources: a point added without a row, or a row whose point is gone.
verdict table_matches_sources() {
  auto found = crash_points_in_sources(RAFTVAULT_SOURCE_DIR);
  if (!found) return {true, found.error().describe() + " (run from a build of the source tree to check)",
                      "crash point table: sources not available"};
  std::set<std::string> listed;
  for (const auto& row : crash_point_table()) listed.insert(row.name);
  std::string missing, stale;
  for (const auto& name : *found)
    if (!listed.count(name)) missing += " " + name;
  for (const auto& name : listed)
    if (!found->count(name)) stale += " " + name;
  if (missing.empty() && stale.empty())
    return {true, std::to_string(found->size()) + " crash points in the sources, each in the table",
            "crash point table matches the sources"};
  return {false, (missing.empty() ? "" : "not in the campaign's table:" + missing) +
                     (stale.empty() ? "" : " gone from the sources:" + stale),
          "VIOLATION: crash point table out of date"};
}

}  // namespace

void run_crash_point_cases(kill_context& ctx, campaign_result& result) {
  record_case(ctx, result, "every fileio::crash_point in the sources has a row", table_matches_sources(), "");
  const bool smoke = ctx.options.mode == run_mode::smoke;
  for (const auto& row : crash_point_table()) {
    for (std::size_t d = 0; d < row.drivers.size() && (d == 0 || !smoke); ++d) {
      // The long run stops at several occurrences of the first driver's point.
      std::set<int> nths{1};
      if (!smoke && d == 0) nths.insert({std::min(3, row.occurrences), row.occurrences});
      for (int nth : nths) {
        const std::string name = std::string(row.name) + ":" + std::to_string(nth) + " (" +
                                 to_string(row.drivers[d]) + ")";
        const bool runs = row.drivers[d] != crash_driver::library_only;
        const std::string dir = runs ? ctx.new_case_dir() : "";
        record_case(ctx, result, name, run_case(ctx, row.drivers[d], dir, row.name, nth), dir);
      }
    }
  }
}

}  // namespace raftvault::reliability
