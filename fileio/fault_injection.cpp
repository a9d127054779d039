#include "fileio/fault_injection.h"

#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <vector>

#include "fileio/io_counters.h"

namespace raftvault::fileio {
namespace {

constexpr std::size_t kKinds = static_cast<std::size_t>(op::chmod) + 1;

constexpr std::array<const char*, kKinds> kKindNames = {
    "open", "write", "read", "fdatasync", "fsync", "fsync_dir", "rename", "preallocate", "truncate",
    "unlink", "lock", "mkdir", "chmod"};
static_assert(kKindNames.back() != nullptr, "every op has a name");

struct errno_name {
  const char* name;
  int value;
};
constexpr errno_name kErrnoNames[] = {{"EIO", EIO},     {"ENOSPC", ENOSPC}, {"EDQUOT", EDQUOT},
                                      {"EROFS", EROFS}, {"EFBIG", EFBIG},   {"EACCES", EACCES},
                                      {"EPERM", EPERM}, {"ENOMEM", ENOMEM}};

struct fault {
  int remaining = 0;  // calls until the fault fires; 0 = disarmed
  int nth = 0;
  int sys_errno = 0;
  bool sticky = false;
  bool fired = false;
  bool report = false;  // armed by arm_faults: say so on stderr when it fires
};

std::atomic<bool> any_armed{false};
std::mutex faults_mutex;
std::array<fault, kKinds> faults;

std::string errno_text(int value) {
  for (const auto& e : kErrnoNames)
    if (e.value == value) return e.name;
  return std::to_string(value);
}

struct parsed_fault {
  op kind;
  int nth;
  int sys_errno;
  bool sticky;
};

result<int> parse_positive(std::string_view text) {
  if (text.empty() || text.size() > 9 || text.find_first_not_of("0123456789") != std::string_view::npos)
    return error(errc::invalid_argument, "");
  const int value = std::stoi(std::string(text));
  if (value < 1) return error(errc::invalid_argument, "");
  return value;
}

result<parsed_fault> parse_one(std::string_view item) {
  const auto refuse = [&](const std::string& why) {
    return error(errc::invalid_argument, "RAFTVAULT_FAULT item '" + std::string(item) + "': " + why);
  };
  std::vector<std::string_view> parts;
  for (std::size_t start = 0;;) {
    const auto colon = item.find(':', start);
    parts.push_back(item.substr(start, colon == std::string_view::npos ? colon : colon - start));
    if (colon == std::string_view::npos) break;
    start = colon + 1;
  }
  if (parts.size() < 3 || parts.size() > 4) return refuse("expected KIND:N:ERRNO[:sticky]");
  parsed_fault out{};
  bool known = false;
  for (std::size_t k = 0; k < kKinds; ++k) {
    if (parts[0] == kKindNames[k]) {
      out.kind = static_cast<op>(k);
      known = true;
    }
  }
  if (!known) return refuse("unknown kind '" + std::string(parts[0]) + "'");
  auto nth = parse_positive(parts[1]);
  if (!nth) return refuse("N must be a count from 1");
  out.nth = *nth;
  out.sys_errno = 0;
  for (const auto& e : kErrnoNames)
    if (parts[2] == e.name) out.sys_errno = e.value;
  if (out.sys_errno == 0) {
    auto number = parse_positive(parts[2]);
    if (!number) return refuse("unknown errno '" + std::string(parts[2]) + "'");
    out.sys_errno = *number;
  }
  out.sticky = parts.size() == 4;
  if (out.sticky && parts[3] != "sticky") return refuse("the fourth part can only be 'sticky'");
  return out;
}

// Arms from RAFTVAULT_FAULT when the library is loaded, so an exec'd child needs no code.
struct arm_from_environment {
  arm_from_environment() {
    const char* spec = std::getenv("RAFTVAULT_FAULT");
    if (spec == nullptr || *spec == '\0') return;
    if (auto armed = arm_faults(spec); !armed) {
      // A test that asked for a fault must not run without it.
      std::fprintf(stderr, "raftvault: %s\n", armed.error().message().c_str());
      std::_Exit(2);
    }
  }
};
const arm_from_environment arm_at_load;

}  // namespace

void inject_fault(op kind, int nth, int sys_errno, bool sticky) {
  std::lock_guard<std::mutex> guard(faults_mutex);
  faults[static_cast<std::size_t>(kind)] = fault{nth, nth, sys_errno, sticky, false, false};
  any_armed.store(true, std::memory_order_release);
}

void clear_faults() {
  std::lock_guard<std::mutex> guard(faults_mutex);
  faults = {};
  any_armed.store(false, std::memory_order_release);
}

status arm_faults(std::string_view spec) {
  std::vector<parsed_fault> parsed;
  for (std::size_t start = 0; start <= spec.size();) {
    const auto comma = spec.find(',', start);
    const auto item = spec.substr(start, comma == std::string_view::npos ? comma : comma - start);
    RV_ASSIGN(auto one, parse_one(item));
    parsed.push_back(one);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  std::lock_guard<std::mutex> guard(faults_mutex);
  for (const auto& p : parsed)
    faults[static_cast<std::size_t>(p.kind)] = fault{p.nth, p.nth, p.sys_errno, p.sticky, false, true};
  any_armed.store(true, std::memory_order_release);
  return {};
}

int fault_for(op kind) {
  count_io_call(kind);
  if (!any_armed.load(std::memory_order_acquire)) return 0;
  std::lock_guard<std::mutex> guard(faults_mutex);
  auto& f = faults[static_cast<std::size_t>(kind)];
  if (f.fired) return f.sticky ? f.sys_errno : 0;
  if (f.remaining == 0) return 0;
  if (--f.remaining > 0) return 0;
  f.fired = true;
  if (f.report) {
    const std::string line = "raftvault: RAFTVAULT_FAULT: " + std::string(kKindNames[static_cast<std::size_t>(kind)]) +
                             " call " + std::to_string(f.nth) + " failed with " + errno_text(f.sys_errno) +
                             (f.sticky ? " (and every later one)" : "") + "\n";
    // One write(2), unbuffered: the process may be about to stop dead.
    (void)!::write(STDERR_FILENO, line.data(), line.size());
  }
  return f.sys_errno;
}

}  // namespace raftvault::fileio
