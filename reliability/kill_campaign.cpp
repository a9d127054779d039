// The kill -9 campaign: raftvault-bench under load (appends, DEK rotations every few hundred
// ms, segment cuts, snapshots) stopped dead at every named crash point and killed with SIGKILL
// at seeded random times; after each, `raftvault verify`, a reopen as a restart does, and the
// bench's ack log against what was recovered. Promise: 0 acknowledged entries lost, 0 stores
// that do not open (reliability/README.md, "kill").
#include <filesystem>
#include <random>

#include "raftlog/migration.h"
#include "reliability/kill_child.h"
#include "reliability/kill_context.h"

namespace raftvault::reliability {

namespace fs = std::filesystem;

std::string kill_context::new_case_dir() {
  const std::string dir = options.scratch_dir + "/case-" + std::to_string(++cases);
  fs::create_directories(dir);
  return dir;
}

status kill_context::copy_template(const std::string& case_dir) const {
  std::error_code ec;
  fs::copy(template_store, case_dir + "/store", fs::copy_options::recursive, ec);
  if (!ec) fs::copy_file(template_acks, case_dir + "/acks", ec);
  if (ec) return error(errc::io, "copy " + template_store + " to " + case_dir + ": " + ec.message());
  return {};
}

std::string kill_context::keep_reproducer(const std::string& case_dir) const {
  const fs::path to = fs::path(options.out_dir) / reproducers / fs::path(case_dir).filename();
  std::error_code ec;
  fs::create_directories(to.parent_path(), ec);
  fs::copy(case_dir, to, fs::copy_options::recursive | fs::copy_options::overwrite_existing, ec);
  return ec ? "could not keep " + case_dir + ": " + ec.message() : "kept in " + to.string();
}

void record_case(const kill_context& ctx, campaign_result& result, const std::string& name,
                 verdict v, const std::string& case_dir) {
  if (!v.ok && !case_dir.empty()) v.outcome += " [" + ctx.keep_reproducer(case_dir) + "]";
  result.add({name, v.outcome, v.ok}, v.outcome_class);
}

result<kill_context> prepare_kill_context(const campaign_options& options) {
  kill_context ctx;
  ctx.options = options;
  ctx.bench = options.bin_dir + "/raftvault-bench";
  ctx.raftvault = options.bin_dir + "/raftvault";
  const std::string dir = options.scratch_dir + "/template";
  fs::create_directories(dir);
  ctx.template_store = dir + "/store";
  ctx.template_acks = dir + "/acks";
  // Long enough for a few rotations and cuts: the crash cases start from released segments,
  // an older snapshot and a retired key generation.
  auto made = run_child(ctx.bench, ctx.load.bench_args(ctx.template_store, ctx.template_acks, 1.2), {},
                        dir + "/bench.out", dir + "/bench.err", std::chrono::minutes(1));
  if (!made) return made.error();
  if (!made->exited_with(0))
    return error(errc::io, "the template store: raftvault-bench " + made->describe() + ": " +
                               last_line_of(dir + "/bench.err"));
  RV_ASSIGN(ctx.template_content, reopen_store(ctx.template_store));
  ctx.export_dir = dir + "/export";
  auto exported = run_child(ctx.raftvault, {"export", "--data-dir", ctx.template_store, "--out", ctx.export_dir},
                            {}, dir + "/export.out", dir + "/export.err", std::chrono::minutes(1));
  if (!exported) return exported.error();
  if (!exported->exited_with(0))
    return error(errc::io, "exporting the template: raftvault " + exported->describe() + ": " +
                               last_line_of(dir + "/export.err"));
  RV_ASSIGN(ctx.export_content,
            raftlog::read_plain_etcd(ctx.export_dir + "/wal", ctx.export_dir + "/snap"));
  ctx.export_files = tree_contents(ctx.export_dir);
  return ctx;
}

void run_random_kills(kill_context& ctx, campaign_result& result) {
  const int kills = ctx.options.mode == run_mode::smoke ? 20 : 220;
  std::mt19937_64 random(ctx.options.seed);
  // From just after the start (the open and its repair) to well into the load.
  std::uniform_int_distribution<int> delay_ms(20, 1500);
  std::string chain;  // the case directory whose store the next kill continues
  for (int i = 1; i <= kills; ++i) {
    const int delay = delay_ms(random);
    const std::string name = "SIGKILL #" + std::to_string(i) + " after " + std::to_string(delay) + " ms";
    const std::string dir = ctx.new_case_dir();
    // Each kill continues the previous one's store (a copy, so a violation keeps its own).
    const std::string from = chain.empty() ? ctx.template_store : chain + "/store";
    const std::string from_acks = chain.empty() ? ctx.template_acks : chain + "/acks";
    std::error_code ec;
    fs::copy(from, dir + "/store", fs::copy_options::recursive, ec);
    if (!ec) fs::copy_file(from_acks, dir + "/acks", ec);
    if (!ec && !chain.empty()) fs::remove_all(chain, ec);
    if (ec) {
      record_case(ctx, result, name, {false, "copy the store: " + ec.message(), "VIOLATION: campaign error"}, "");
      return;
    }
    auto child = child_process::start(ctx.bench, ctx.load.bench_args(dir + "/store", dir + "/acks", 60), {},
                                      dir + "/bench.out", dir + "/bench.err");
    if (!child) {
      record_case(ctx, result, name, {false, child.error().describe(), "VIOLATION: campaign error"}, "");
      return;
    }
    if (auto ended = child->wait_for(std::chrono::milliseconds(delay))) {
      record_case(ctx, result, name,
                  {false, "the bench ended before the kill: " + ended->describe() + ": " +
                              last_line_of(dir + "/bench.err"),
                   "VIOLATION: the load failed"},
                  dir);
      chain.clear();
      continue;
    }
    child->kill_now();
    verdict v = check_after_crash(ctx.options.bin_dir, dir + "/store", dir + "/acks", ctx.load, dir);
    record_case(ctx, result, name, v, dir);
    // A violating store is kept as it is; the next kill starts again from the template.
    chain = v.ok ? dir : "";
  }
  if (!chain.empty()) {
    const auto verified = run_verify(ctx.options.bin_dir, chain + "/store", chain);
    const bool clean = verified.ok && !verified.torn_tail;
    record_case(ctx, result, "the killed chain's store after its last reopen",
                {clean, "verify: " + verified.detail,
                 clean ? "verify ok after the last reopen" : "VIOLATION: verify after the last reopen"},
                chain);
  }
}

namespace {

campaign_result run_kill_campaign(const campaign_options& options) {
  campaign_result result;
  auto ctx = prepare_kill_context(options);
  if (!ctx) {
    result.add({"prepare the template store", ctx.error().describe(), false}, "VIOLATION: campaign error");
    return result;
  }
  run_crash_point_cases(*ctx, result);
  run_random_kills(*ctx, result);
  return result;
}

const campaign_registration kRegistration{
    "kill", "kill -9 under load: every named crash point and random SIGKILLs; 0 acknowledged lost, 0 unopenable",
    run_kill_campaign};

}  // namespace
}  // namespace raftvault::reliability
