#include "reliability/kill_store_check.h"

#include <filesystem>
#include <fstream>
#include <iterator>

#include "actors/pipeline.h"
#include "bench/payload.h"
#include "reliability/kill_child.h"

namespace raftvault::reliability {

std::vector<std::string> bench_load::bench_args(const std::string& store, const std::string& ack_log,
                                                double seconds) const {
  std::vector<std::string> args{
      "pipeline", "--producers", std::to_string(producers), "--batch", std::to_string(batch),
      "--size", std::to_string(entry_size), "--snapshot-size", std::to_string(snapshot_size),
      "--segment-size", std::to_string(segment_size), "--duration", std::to_string(seconds),
      "--data-dir", store, "--reopen", "--ack-log", ack_log, "--no-raw-disk", "--json"};
  if (!rotate_every.empty()) args.insert(args.end(), {"--rotate-every", rotate_every});
  return args;
}

result<ack_summary> read_ack_log(const std::string& path) {
  ack_summary out;
  std::ifstream in(path);
  if (!in) return out;
  std::string line;
  while (std::getline(in, line)) {
    ++out.lines;
    if (line.empty() || line.size() > 20 || line.find_first_not_of("0123456789") != std::string::npos)
      return error(errc::corruption, path + " line " + std::to_string(out.lines) + ": '" + line +
                                         "' is not an index");
    out.highest = std::max<std::uint64_t>(out.highest, std::stoull(line));
  }
  // A last line without its newline was cut by the kill: the acknowledgement it records was
  // not complete when the process died (one write(2) per line makes this impossible anyway).
  return out;
}

verify_run run_verify(const std::string& bin_dir, const std::string& data_dir, const std::string& work_dir) {
  verify_run out;
  const std::string out_path = work_dir + "/verify.out", err_path = work_dir + "/verify.err";
  auto ran = run_child(bin_dir + "/raftvault", {"verify", "--data-dir", data_dir}, {}, out_path,
                       err_path, std::chrono::minutes(2));
  if (!ran) {
    out.detail = ran.error().describe();
    return out;
  }
  out.ok = ran->exited_with(0);
  out.detail = out.ok ? last_line_of(out_path) : ran->describe() + ": " + last_line_of(err_path);
  out.torn_tail = out.detail.find("torn tail") != std::string::npos;
  return out;
}

result<raftlog::recovered_state> reopen_store(const std::string& data_dir) {
  actors::pipeline_options options;
  options.data_dir = data_dir;
  RV_ASSIGN(auto opened, actors::open_store(options));
  return std::move(opened.recovered);
}

verdict check_acknowledged(const raftlog::recovered_state& recovered, const ack_summary& acks,
                           const bench_load& load) {
  const std::string payload = bench::make_payload(load.entry_size);
  const std::uint64_t snap_index = recovered.snap ? recovered.snap->metadata.index : 0;
  auto lost = [](std::string what) {
    return verdict{false, std::move(what), "VIOLATION: acknowledged entry lost or damaged"};
  };
  if (recovered.snap) {
    const auto& s = *recovered.snap;
    // The provider's content: --snapshot-size bytes of 's' (runs may differ in size).
    if (s.metadata.term != 1 || s.data.empty() || s.data.find_first_not_of('s') != std::string::npos)
      return lost("the snapshot at " + std::to_string(snap_index) + " is not the one the bench wrote");
  }
  std::uint64_t expected = snap_index + 1;
  for (const auto& e : recovered.entries) {
    if (e.index != expected)
      return lost("entry " + std::to_string(expected) + " missing (next recovered: " +
                  std::to_string(e.index) + ")");
    if (e.term != 1 || e.type != entry_type::normal || e.data != payload)
      return lost("entry " + std::to_string(e.index) + " is not the one the bench wrote");
    ++expected;
  }
  const std::uint64_t last = expected - 1;
  const std::string shape = "acknowledged through " + std::to_string(acks.highest) + " (" +
                            std::to_string(acks.lines) + " acks), recovered through " +
                            std::to_string(last) + " (snapshot " + std::to_string(snap_index) + ")";
  if (acks.highest > last)
    return lost(shape + ": " + std::to_string(acks.highest - last) + " acknowledged entries lost");
  return {true, shape, "all acked present"};
}

verdict check_after_crash(const std::string& bin_dir, const std::string& data_dir,
                          const std::string& ack_path, const bench_load& load,
                          const std::string& work_dir, raftlog::recovered_state* recovered_out) {
  auto acks = read_ack_log(ack_path);
  if (!acks) return {false, acks.error().describe(), "VIOLATION: ack log damaged"};
  const auto verified = run_verify(bin_dir, data_dir, work_dir);
  if (!verified.ok) return {false, "verify: " + verified.detail, "VIOLATION: verify refused the store"};
  auto recovered = reopen_store(data_dir);
  if (!recovered) return {false, "reopen: " + recovered.error().describe(), "VIOLATION: unopenable"};
  verdict v = check_acknowledged(*recovered, *acks, load);
  if (recovered_out) *recovered_out = std::move(recovered).value();
  if (v.ok && verified.torn_tail) {
    v.outcome += "; torn tail repaired";
    v.outcome_class = "all acked present, torn tail repaired";
  }
  return v;
}

std::map<std::string, std::string> tree_contents(const std::string& dir) {
  namespace fs = std::filesystem;
  std::map<std::string, std::string> out;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (!it->is_regular_file()) continue;
    std::ifstream in(it->path(), std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    out[fs::relative(it->path(), dir).string()] = std::move(bytes);
  }
  return out;
}

std::string log_difference(const raftlog::recovered_state& before, const raftlog::recovered_state& after) {
  if (before.metadata != after.metadata) return "metadata differs";
  if (before.snap.has_value() != after.snap.has_value() || (before.snap && !(*before.snap == *after.snap)))
    return "snapshot differs";
  if (before.entries.size() != after.entries.size())
    return std::to_string(before.entries.size()) + " entries before, " +
           std::to_string(after.entries.size()) + " after";
  for (std::size_t i = 0; i < before.entries.size(); ++i)
    if (!(before.entries[i] == after.entries[i]))
      return "entry " + std::to_string(before.entries[i].index) + " differs";
  return "";
}

}  // namespace raftvault::reliability
