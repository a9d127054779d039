// The disk-fault campaign: EIO on the WAL's write or fdatasync under load must fail-stop the
// store with nothing acknowledged after the failure; ENOSPC part-way through import, export,
// rotate-dek, a snapshot or a segment cut must give a clear error naming the file, leave the
// source and the store intact, and let the same operation succeed once space returns
// (reliability/README.md, "faults"). ENOSPC comes from a real, small tmpfs where the machine
// allows mounting one (root), from the fault hook otherwise; the table says which.
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "reliability/faults_context.h"
#include "reliability/faults_tmpfs.h"

namespace raftvault::reliability {

bool names_the_failure(const std::string& line, const std::string& errno_text) {
  return line.find('/') != std::string::npos && line.find(errno_text) != std::string::npos;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

bool fault_fired(const std::string& err_path) {
  return read_text(err_path).find("RAFTVAULT_FAULT: ") != std::string::npos;
}

std::optional<std::uint64_t> json_number(const std::string& json, const std::string& key) {
  const std::string quoted = "\"" + key + "\": ";
  const auto at = json.find(quoted);
  if (at == std::string::npos) return std::nullopt;
  const auto start = at + quoted.size();
  const auto end = json.find_first_not_of("0123456789", start);
  if (end == start) return std::nullopt;
  return std::stoull(json.substr(start, end - start));
}

std::string json_string(const std::string& json, const std::string& key) {
  const std::string quoted = "\"" + key + "\": \"";
  const auto at = json.find(quoted);
  if (at == std::string::npos) return "";
  const auto start = at + quoted.size();
  return json.substr(start, json.find('"', start) - start);
}

std::uint64_t allocated_bytes(const std::string& dir) {
  namespace fs = std::filesystem;
  std::uint64_t total = 0;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    struct stat st;
    if (it->is_regular_file() && ::stat(it->path().c_str(), &st) == 0)
      total += static_cast<std::uint64_t>(st.st_blocks) * 512;
  }
  return total;
}

namespace {

campaign_result run_faults_campaign(const campaign_options& options) {
  campaign_result result;
  auto ctx = prepare_kill_context(options);
  if (!ctx) {
    result.add({"prepare the template store", ctx.error().describe(), false}, "VIOLATION: campaign error");
    return result;
  }
  ctx->reproducers = "faults-reproducers";
  // One probe mount decides how ENOSPC is made for the whole run.
  bool tmpfs_available = false;
  std::string how;
  {
    auto probe = small_tmpfs::mount(options.scratch_dir + "/mount-probe", 1 << 20);
    tmpfs_available = probe.has_value();
    how = tmpfs_available ? "a 1 MiB tmpfs mounted: ENOSPC comes from full tmpfs file systems"
                          : probe.error().describe() + ": ENOSPC comes from the fault hook";
  }
  result.add({"how ENOSPC is made", how, true}, tmpfs_available ? "ENOSPC source: tmpfs" : "ENOSPC source: fault hook");
  run_offline_fault_cases(*ctx, tmpfs_available, result);
  run_pipeline_fault_cases(*ctx, tmpfs_available, result);
  return result;
}

const campaign_registration kRegistration{
    "faults",
    "disk faults: EIO under load fail-stops; ENOSPC part-way gives a clear error, data intact, success once space returns",
    run_faults_campaign};

}  // namespace
}  // namespace raftvault::reliability
