// The disk-fault campaign's offline cases: import, export and rotate-dek with the disk running
// out of space part-way (a small tmpfs filled to a share of what the command needs) or with the
// Nth call of one kind failing (the fault hook, every N the command reaches in the long run).
// Each case checks: exit 1 with an error naming the file and the cause; the source unchanged;
// the store (rotate-dek's) still verifying with the same log; and the same command succeeding
// once space returns, with the right result.
#include <cstring>
#include <filesystem>

#include "raftlog/migration.h"
#include "reliability/faults_context.h"
#include "reliability/faults_tmpfs.h"
#include "reliability/kill_child.h"

namespace raftvault::reliability {
namespace {

namespace fs = std::filesystem;

constexpr auto kDeadline = std::chrono::seconds(60);
constexpr std::uint64_t kTmpfsBytes = 64 << 20;
// Small segments, so import and export cut several: space can run out part-way.
constexpr const char* kSegmentSize = "65536";

enum class offline_op { import, export_, rotate_dek };

const char* name_of(offline_op op) {
  switch (op) {
    case offline_op::import: return "import";
    case offline_op::export_: return "export";
    case offline_op::rotate_dek: return "rotate-dek";
  }
  return "?";
}

// Where one run of a command reads and writes.
struct offline_run {
  std::string source;  // import: the exported pair; export and rotate-dek: the store
  std::string target;  // import: the new store; export: OUT; rotate-dek: the store itself
  std::vector<std::string> args;
};

result<offline_run> prepare_run(const kill_context& ctx, offline_op op, const std::string& dir,
                                const std::string& writes_to) {
  offline_run run;
  std::error_code ec;
  switch (op) {
    case offline_op::import:
      run.source = ctx.export_dir;
      run.target = writes_to + "/imported";
      run.args = {"import", "--segment-size", kSegmentSize, "--wal-dir", run.source + "/wal",
                  "--snap-dir", run.source + "/snap", "--data-dir", run.target};
      return run;
    case offline_op::export_:
      RV_TRY(ctx.copy_template(dir));
      run.source = dir + "/store";
      run.target = writes_to + "/out";
      run.args = {"export", "--segment-size", kSegmentSize, "--data-dir", run.source, "--out", run.target};
      return run;
    case offline_op::rotate_dek:
      run.source = run.target = writes_to + "/store";
      fs::copy(ctx.template_store, run.target, fs::copy_options::recursive, ec);
      if (!ec) fs::copy_file(ctx.template_acks, dir + "/acks", ec);
      if (ec) return error(errc::io, "copy the template store to " + writes_to + ": " + ec.message());
      run.args = {"rotate-dek", "--data-dir", run.target};
      return run;
  }
  return error(errc::invalid_argument, "unknown operation");
}

verdict violation(std::string what, std::string outcome_class) {
  return {false, std::move(what), std::move(outcome_class)};
}

// What the command's result must hold once it succeeded.
verdict result_holds(const kill_context& ctx, offline_op op, const offline_run& run, const std::string& dir) {
  if (op == offline_op::import) {
    auto imported = reopen_store(run.target);
    if (!imported) return violation("the import: " + imported.error().describe(), "VIOLATION: unopenable");
    if (auto diff = log_difference(ctx.export_content, *imported); !diff.empty())
      return violation("the import differs from its source: " + diff, "VIOLATION: the log changed");
    return {true, "the store holds the source's log", ""};
  }
  if (op == offline_op::export_) {
    auto exported = raftlog::read_plain_etcd(run.target + "/wal", run.target + "/snap");
    if (!exported) return violation("the export: " + exported.error().describe(), "VIOLATION: unopenable");
    if (auto diff = log_difference(ctx.template_content, *exported); !diff.empty())
      return violation("the export differs from the store: " + diff, "VIOLATION: the log changed");
    return {true, "the export holds the store's log", ""};
  }
  raftlog::recovered_state recovered;
  verdict v = check_after_crash(ctx.options.bin_dir, run.target, dir + "/acks", ctx.load, dir, &recovered);
  if (!v.ok) return v;
  if (auto diff = log_difference(ctx.template_content, recovered); !diff.empty())
    return violation("the store's log changed: " + diff, "VIOLATION: the log changed");
  return {true, "the store verifies with the same log", ""};
}

// What must hold right after the failure, before space returns.
verdict intact_after_failure(const kill_context& ctx, offline_op op, const offline_run& run,
                             const std::string& dir, const std::map<std::string, std::string>& store_before) {
  if (op == offline_op::import) {
    if (tree_contents(run.source) != ctx.export_files)
      return violation("the import's source changed", "VIOLATION: source changed");
    std::error_code ec;
    if (fs::exists(run.target, ec) && !fs::is_empty(run.target, ec))
      return violation("the failed import left " + run.target + " behind", "VIOLATION: not left as it was");
    return {true, "source unchanged, nothing left behind", ""};
  }
  if (op == offline_op::export_) {
    if (tree_contents(run.source) != store_before)
      return violation("the exported store changed", "VIOLATION: source changed");
    return {true, "store unchanged", ""};
  }
  return result_holds(ctx, op, run, dir);
}

// One case; `reached` says whether the fault was hit at all (the hook's sweep stops when not).
verdict offline_case(kill_context& ctx, offline_op op, const disk_fault& fault, std::uint64_t need,
                     const std::string& dir, bool& reached) {
  reached = true;
  std::optional<small_tmpfs> disk;
  std::string writes_to = dir;
  if (fault.uses_tmpfs()) {
    auto mounted = small_tmpfs::mount(dir + "/tmpfs", kTmpfsBytes);
    if (!mounted) return violation(mounted.error().describe(), "VIOLATION: campaign error");
    disk.emplace(std::move(mounted).value());
    writes_to = disk->path();
  }
  auto keep_tmpfs = [&](verdict v) {
    // The mount goes away with this case: a violation keeps a copy of what was on it.
    std::error_code ec;
    if (!v.ok && disk) fs::copy(disk->path(), dir + "/tmpfs-contents", fs::copy_options::recursive, ec);
    return v;
  };
  auto run = prepare_run(ctx, op, dir, writes_to);
  if (!run) return violation(run.error().describe(), "VIOLATION: campaign error");
  const auto store_before = op == offline_op::export_ ? tree_contents(run->source)
                                                      : std::map<std::string, std::string>{};
  if (disk) {
    if (auto filled = disk->fill_leaving(static_cast<std::uint64_t>(fault.free_share * static_cast<double>(need)));
        !filled)
      return violation(filled.error().describe(), "VIOLATION: campaign error");
  }
  std::map<std::string, std::string> env;
  if (!fault.uses_tmpfs()) env["RAFTVAULT_FAULT"] = fault.hook;
  const std::string err = dir + "/cli.err";
  auto ended = run_child(ctx.raftvault, run->args, env, dir + "/cli.out", err, kDeadline);
  if (!ended) return violation(ended.error().describe(), "VIOLATION: campaign error");
  const std::string op_name = name_of(op);
  if (ended->exited_with(0)) {
    reached = fault.uses_tmpfs() || fault_fired(err);
    verdict holds = result_holds(ctx, op, *run, dir);
    if (!holds.ok) return keep_tmpfs(violation("succeeded despite the fault, wrongly: " + holds.outcome, holds.outcome_class));
    if (!reached) return {true, "not reached", ""};
    return {true, "succeeded: " + holds.outcome,
            fault.uses_tmpfs() ? op_name + ": enough space after all, result right"
                               : op_name + ": fault absorbed, result right"};
  }
  const std::string line = last_line_of(err);
  if (!ended->exited_with(1))
    return keep_tmpfs(violation(ended->describe() + ": " + line, "VIOLATION: the command failed badly"));
  if (!names_the_failure(line, fault.errno_text))
    return keep_tmpfs(violation("the error does not name the file and cause: " + line, "VIOLATION: unclear error"));
  verdict intact = intact_after_failure(ctx, op, *run, dir, store_before);
  if (!intact.ok) return keep_tmpfs(intact);
  if (disk) {
    if (auto freed = disk->release_filler(); !freed) return violation(freed.error().describe(), "VIOLATION: campaign error");
  }
  auto rerun = run_child(ctx.raftvault, run->args, {}, dir + "/rerun.out", dir + "/rerun.err", kDeadline);
  if (!rerun || !rerun->exited_with(0))
    return keep_tmpfs(violation(line + "; then, with the space back: " +
                                    (rerun ? rerun->describe() + ": " + last_line_of(dir + "/rerun.err")
                                           : rerun.error().describe()),
                                "VIOLATION: no success once space returns"));
  verdict holds = result_holds(ctx, op, *run, dir);
  if (!holds.ok) return keep_tmpfs(holds);
  return {true, line + " | " + intact.outcome + "; rerun: " + holds.outcome,
          op_name + ": clear error, intact, rerun succeeds"};
}

// How much a command writes where it runs out of space: the tmpfs levels are shares of it.
result<std::uint64_t> need_of(kill_context& ctx, offline_op op) {
  const std::string dir = ctx.new_case_dir();
  RV_ASSIGN(auto disk, small_tmpfs::mount(dir + "/tmpfs", kTmpfsBytes));
  RV_ASSIGN(auto run, prepare_run(ctx, op, dir, disk.path()));
  // rotate-dek writes a copy of the store beside it.
  if (op == offline_op::rotate_dek) return allocated_bytes(run.target);
  RV_ASSIGN(auto before, disk.free_bytes());
  RV_ASSIGN(auto ended, run_child(ctx.raftvault, run.args, {}, dir + "/cli.out", dir + "/cli.err", kDeadline));
  if (!ended.exited_with(0))
    return error(errc::io, std::string(name_of(op)) + " with room to spare: " + ended.describe() + ": " +
                               last_line_of(dir + "/cli.err"));
  RV_ASSIGN(auto after, disk.free_bytes());
  return before - after;
}

struct hook_kind {
  const char* kind;
  const char* errno_name;
  int sys_errno;
};
// Every kind of call an offline command makes that can fail on a bad or full disk.
constexpr hook_kind kHookKinds[] = {{"write", "ENOSPC", ENOSPC},    {"preallocate", "ENOSPC", ENOSPC},
                                    {"fdatasync", "EIO", EIO},      {"fsync", "EIO", EIO},
                                    {"fsync_dir", "EIO", EIO},      {"rename", "EIO", EIO}};

}  // namespace

void run_offline_fault_cases(kill_context& ctx, bool tmpfs_available, campaign_result& result) {
  const bool smoke = ctx.options.mode == run_mode::smoke;
  for (offline_op op : {offline_op::import, offline_op::export_, offline_op::rotate_dek}) {
    const std::string op_name = name_of(op);
    if (tmpfs_available) {
      auto need = need_of(ctx, op);
      if (!need) {
        result.add({op_name + ": measure its need", need.error().describe(), false}, "VIOLATION: campaign error");
        continue;
      }
      const std::vector<double> shares = smoke ? std::vector<double>{0.5} : std::vector<double>{0.1, 0.3, 0.5, 0.7, 0.9};
      for (double share : shares) {
        const disk_fault fault{"tmpfs with " + std::to_string(static_cast<int>(share * 100)) + "% of " +
                                   std::to_string(*need / 1024) + " KiB free",
                               "", share, std::strerror(ENOSPC)};
        const std::string dir = ctx.new_case_dir();
        bool reached = true;
        record_case(ctx, result, op_name + ", ENOSPC: " + fault.label, offline_case(ctx, op, fault, *need, dir, reached), dir);
      }
    }
    // The hook: in the long run every call of every kind the command makes, N = 1, 2, ... until
    // the command makes no Nth such call; in the smoke run only where no tmpfs can be mounted.
    if (smoke && tmpfs_available) continue;
    for (const auto& k : kHookKinds) {
      const bool space_kind = k.sys_errno == ENOSPC;
      if (smoke && !space_kind) continue;
      const int last = smoke ? 2 : 40;
      for (int nth = 1; nth <= last; ++nth) {
        const std::string hook = std::string(k.kind) + ":" + std::to_string(nth) + ":" + k.errno_name;
        const disk_fault fault{hook, hook, 0, std::strerror(k.sys_errno)};
        const std::string dir = ctx.new_case_dir();
        bool reached = true;
        verdict v = offline_case(ctx, op, fault, 0, dir, reached);
        if (!reached) break;
        record_case(ctx, result, op_name + ", " + hook, v, dir);
      }
    }
  }
}

}  // namespace raftvault::reliability
