// The disk-fault campaign's pipeline cases: raftvault-bench under load on a store with data
// while the disk fails — EIO on the WAL's write or fdatasync (the fault hook), ENOSPC when a
// segment cut preallocates the next segment or when a rotation writes its snapshot (a full
// tmpfs, or the hook where none can be mounted). Each case checks: the run fails with an error
// naming the file and the cause; after a WAL failure the store fail-stopped and no append at or
// after the first failed one was acknowledged; `verify` passes while the disk is still bad;
// once it is good again the store reopens with every acknowledged entry and takes the load.
#include <cstring>
#include <filesystem>

#include "reliability/faults_context.h"
#include "reliability/faults_tmpfs.h"
#include "reliability/kill_child.h"

namespace raftvault::reliability {
namespace {

namespace fs = std::filesystem;

constexpr auto kDeadline = std::chrono::seconds(60);
constexpr std::uint64_t kTmpfsBytes = 64 << 20;
constexpr double kRestartSeconds = 0.4;
// A load whose store fail-stops ends when its producers have all failed; this only bounds a
// run that never meets the fault.
constexpr double kUntilFailure = 30;

// What a tmpfs case puts on the small tmpfs.
enum class on_tmpfs { whole_store, snapshots_only };

struct pipeline_fault_case {
  std::string name;
  disk_fault fault;
  std::uint64_t leave = 0;  // a tmpfs case: bytes left free when the load starts
  on_tmpfs holds = on_tmpfs::whole_store;
  bench_load load;
  double seconds = 3;
  bool wal_fails = true;    // the WAL itself fails: the store must fail-stop
  std::string mentions;     // what the error must name besides the cause ("" for any file)
};

verdict violation(std::string what, std::string outcome_class) {
  return {false, std::move(what), std::move(outcome_class)};
}

// The run under the fault, judged from its output and ack log.
verdict judge_failed_run(const pipeline_fault_case& c, const child_exit& ended, const std::string& dir) {
  const std::string err = dir + "/bench.err";
  const bool fired = c.fault.uses_tmpfs() || fault_fired(err);
  if (ended.exited_with(0))
    return fired ? violation("the run succeeded although the fault fired", "VIOLATION: fault swallowed")
                 : violation("the run never reached the fault", "VIOLATION: fault not reached");
  const std::string line = last_line_of(err);
  if (!ended.exited_with(1)) return violation(ended.describe() + ": " + line, "VIOLATION: the bench failed badly");
  if (!names_the_failure(line, c.fault.errno_text) || line.find(c.mentions) == std::string::npos)
    return violation("the error does not name the file and cause: " + line, "VIOLATION: unclear error");
  const std::string report = read_text(dir + "/bench.out");
  const auto lowest_failed = json_number(report, "lowest_failed_index").value_or(0);
  auto acks = read_ack_log(dir + "/acks");
  if (!acks) return violation(acks.error().describe(), "VIOLATION: ack log damaged");
  if (lowest_failed > 0 && acks->highest >= lowest_failed)
    return violation("index " + std::to_string(acks->highest) + " acknowledged, but the append from " +
                         std::to_string(lowest_failed) + " had failed",
                     "VIOLATION: acknowledged after the failure");
  std::string outcome = line;
  if (c.wal_fails) {
    const std::string failure = json_string(report, "store_failure");
    if (failure.empty() || lowest_failed == 0)
      return violation(line + ": the store went on (no sticky failure)", "VIOLATION: no fail-stop");
    outcome += " | fail-stop: acknowledged through " + std::to_string(acks->highest) +
               ", first failed append " + std::to_string(lowest_failed);
  }
  return {true, outcome, ""};
}

// The case's store, a copy of the template; on the tmpfs, wholly or only its snapshots.
result<std::string> place_store(const kill_context& ctx, const pipeline_fault_case& c, const std::string& dir,
                                std::optional<small_tmpfs>& disk) {
  std::error_code ec;
  if (!c.fault.uses_tmpfs() || c.holds == on_tmpfs::snapshots_only) {
    RV_TRY(ctx.copy_template(dir));  // store/ and acks
  } else {
    fs::copy_file(ctx.template_acks, dir + "/acks", ec);
    if (ec) return error(errc::io, "copy the ack log: " + ec.message());
  }
  if (!c.fault.uses_tmpfs()) return dir + "/store";
  const std::string mount_point = c.holds == on_tmpfs::whole_store ? dir + "/tmpfs" : dir + "/store/snap-v3-encrypted";
  const std::string snaps_aside = dir + "/snapshots-aside";
  if (c.holds == on_tmpfs::snapshots_only) fs::rename(mount_point, snaps_aside, ec);
  if (ec) return error(errc::io, "move the snapshots aside: " + ec.message());
  RV_ASSIGN(auto mounted, small_tmpfs::mount(mount_point, kTmpfsBytes));
  disk.emplace(std::move(mounted));
  if (c.holds == on_tmpfs::whole_store) {
    fs::copy(ctx.template_store, disk->path() + "/store", fs::copy_options::recursive, ec);
    if (ec) return error(errc::io, "copy the template store: " + ec.message());
    return disk->path() + "/store";
  }
  fs::copy(snaps_aside, mount_point, fs::copy_options::recursive, ec);
  if (!ec) fs::remove_all(snaps_aside, ec);
  if (ec) return error(errc::io, "move the snapshots onto the tmpfs: " + ec.message());
  return dir + "/store";
}

verdict pipeline_case(kill_context& ctx, const pipeline_fault_case& c, const std::string& dir) {
  std::optional<small_tmpfs> disk;
  auto placed = place_store(ctx, c, dir, disk);
  if (!placed) return violation(placed.error().describe(), "VIOLATION: campaign error");
  const std::string store = *placed, acks = dir + "/acks";
  auto keep_tmpfs = [&](verdict v) {
    // The mount goes away with this case: a violation keeps a copy of what was on it.
    std::error_code ec;
    if (!v.ok && disk) fs::copy(disk->path(), dir + "/tmpfs-contents", fs::copy_options::recursive, ec);
    return v;
  };
  if (disk) {
    if (auto filled = disk->fill_leaving(c.leave); !filled)
      return violation(filled.error().describe(), "VIOLATION: campaign error");
  }
  std::map<std::string, std::string> env;
  if (!c.fault.uses_tmpfs()) env["RAFTVAULT_FAULT"] = c.fault.hook;
  auto ended = run_child(ctx.bench, c.load.bench_args(store, acks, c.seconds), env, dir + "/bench.out",
                         dir + "/bench.err", kDeadline);
  if (!ended) return violation(ended.error().describe(), "VIOLATION: campaign error");
  verdict failed = judge_failed_run(c, *ended, dir);
  if (!failed.ok) return keep_tmpfs(failed);
  // The disk is still full (or the failed call's data still missing): verify reads only.
  const auto verified = run_verify(ctx.options.bin_dir, store, dir);
  if (!verified.ok) return keep_tmpfs(violation("verify on the failed disk: " + verified.detail, "VIOLATION: verify refused the store"));
  if (disk) {
    if (auto freed = disk->release_filler(); !freed) return violation(freed.error().describe(), "VIOLATION: campaign error");
  }
  verdict reopened = check_after_crash(ctx.options.bin_dir, store, acks, ctx.load, dir);
  if (!reopened.ok) return keep_tmpfs(reopened);
  auto restarted = run_child(ctx.bench, ctx.load.bench_args(store, acks, kRestartSeconds), {},
                             dir + "/restart.out", dir + "/restart.err", kDeadline);
  if (!restarted || !restarted->exited_with(0))
    return keep_tmpfs(violation(failed.outcome + "; restart on a good disk: " +
                                    (restarted ? restarted->describe() + ": " + last_line_of(dir + "/restart.err")
                                               : restarted.error().describe()),
                                "VIOLATION: no success once the disk is good"));
  verdict after = check_after_crash(ctx.options.bin_dir, store, acks, ctx.load, dir);
  if (!after.ok) return keep_tmpfs(after);
  return {true, failed.outcome + " | restarted on a good disk: " + after.outcome, ""};
}

std::vector<pipeline_fault_case> cases_for(const kill_context& ctx, bool smoke, bool tmpfs_available) {
  std::vector<pipeline_fault_case> out;
  const std::string eio = std::strerror(EIO), enospc = std::strerror(ENOSPC);
  bench_load steady = ctx.load;  // appends only: every write and fdatasync is the WAL's
  steady.rotate_every.clear();
  const std::vector<int> nths = smoke ? std::vector<int>{50} : std::vector<int>{1, 10, 50, 200, 800};
  for (const char* kind : {"write", "fdatasync"}) {
    for (int nth : nths) {
      for (bool sticky : {false, true}) {
        if (sticky && (smoke || nth != 50)) continue;
        const std::string hook = std::string(kind) + ":" + std::to_string(nth) + ":EIO" + (sticky ? ":sticky" : "");
        out.push_back({"EIO on the WAL's " + hook, {hook, hook, 0, eio}, 0, on_tmpfs::whole_store, steady,
                       kUntilFailure, true, "wal-v3-encrypted/"});
      }
    }
  }
  // A segment cut preallocates the next segment: the first allocation that finds no room.
  if (tmpfs_available) {
    for (std::uint64_t leave : smoke ? std::vector<std::uint64_t>{512 << 10}
                                     : std::vector<std::uint64_t>{256 << 10, 512 << 10, 1 << 20}) {
      out.push_back({"ENOSPC at a segment cut: tmpfs with " + std::to_string(leave >> 10) + " KiB free",
                     {"tmpfs", "", 0, enospc}, leave, on_tmpfs::whole_store, steady, kUntilFailure, true,
                     "wal-v3-encrypted/"});
    }
  } else {
    for (int nth : smoke ? std::vector<int>{2} : std::vector<int>{1, 2, 4}) {
      const std::string hook = "preallocate:" + std::to_string(nth) + ":ENOSPC";
      out.push_back({"ENOSPC at a segment cut: " + hook, {hook, hook, 0, enospc}, 0, on_tmpfs::whole_store, steady,
                     kUntilFailure, true, "wal-v3-encrypted/"});
    }
  }
  // A rotation's forced snapshot bigger than the room left on the snapshot directory's file
  // system: the snapshot is what fails (the WAL is elsewhere); the rotation stays pending and
  // resumes on the restart.
  bench_load snapshots = ctx.load;
  snapshots.snapshot_size = 4 << 20;
  if (tmpfs_available) {
    for (std::uint64_t leave : smoke ? std::vector<std::uint64_t>{2 << 20}
                                     : std::vector<std::uint64_t>{64 << 10, 1 << 20, 3 << 20}) {
      out.push_back({"ENOSPC writing a snapshot: its tmpfs with " + std::to_string(leave >> 10) + " KiB free",
                     {"tmpfs", "", 0, enospc}, leave, on_tmpfs::snapshots_only, snapshots, 1.5, false,
                     "snap-v3-encrypted/"});
    }
  } else {
    // The rotation's third fsync is its snapshot's (after the key file's F and P).
    out.push_back({"EIO syncing a snapshot: fsync:3:EIO", {"fsync:3:EIO", "fsync:3:EIO", 0, eio}, 0,
                   on_tmpfs::whole_store, snapshots, 1.5, false, "snap-v3-encrypted/"});
  }
  return out;
}

}  // namespace

void run_pipeline_fault_cases(kill_context& ctx, bool tmpfs_available, campaign_result& result) {
  const bool smoke = ctx.options.mode == run_mode::smoke;
  for (const auto& c : cases_for(ctx, smoke, tmpfs_available)) {
    const std::string dir = ctx.new_case_dir();
    verdict v = pipeline_case(ctx, c, dir);
    if (v.ok) v.outcome_class = c.wal_fails ? "pipeline: fail-stop, all acked kept, restarts"
                                            : "pipeline: rotation failed cleanly, restarts";
    record_case(ctx, result, c.name, v, dir);
  }
}

}  // namespace raftvault::reliability
