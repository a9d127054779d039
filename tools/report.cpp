#include "tools/report.h"

#include <iostream>

#include "tools/args.h"

namespace raftvault::cli {
namespace {

std::string one_line(std::string text) {
  for (char& c : text)
    if (c == '\n' || c == '\r') c = ' ';
  return text;
}

bool contains(const std::string& text, const char* what) { return text.find(what) != std::string::npos; }

}  // namespace

int fail(const std::string& message) {
  std::cerr << "raftvault: " << one_line(message) << std::endl;
  return kExitRefused;
}

void note(const std::string& message) { std::cerr << "raftvault: " << one_line(message) << std::endl; }

void warn_skipped_snapshot(const std::string& why, const std::string& data_dir) {
  note("warning: a newer snapshot is damaged and was skipped (" + why +
       "); this reads from the older one, as a restart would: run 'raftvault verify --data-dir " + data_dir + "'");
}

std::string advice_for(const error& err, const std::string& data_dir) {
  const std::string& m = err.message();
  switch (err.code()) {
    case errc::locked:
      return contains(m, "running") ? "" : "is another raftvault process or service running on it?";
    case errc::wrong_key:
      if (contains(m, "unlock key"))
        return "pass the current unlock key (after 'raftvault unlock-key rotate' only the new one works)";
      return "the data does not match the keys in " + data_dir +
             "/keys; run 'raftvault verify --data-dir " + data_dir + "' for details";
    case errc::missing_key:
      if (contains(m, "--unlock-key-file")) return "";
      if (contains(m, "locked"))
        return "pass --unlock-key-file FILE or set RAFTVAULT_UNLOCK_KEY";
      return "the key file no longer holds that key generation; restore the node from a peer or backup";
    case errc::corruption:
    case errc::torn_tail:
      return "run 'raftvault verify --data-dir " + data_dir +
             "' for details; restore the node from a peer or a backup";
    case errc::invalid_argument:
      if (contains(m, "malformed unlock key"))
        return "check the RVKEK1-... text (a typo fails the checksum)";
      return "";
    case errc::unsupported_algorithm:
      return "this record's cipher is not supported; export it with the tool that wrote it";
    default:
      return "";
  }
}

std::string with_advice(const error& err, const std::string& data_dir) {
  std::string advice = advice_for(err, data_dir);
  return advice.empty() ? err.message() : err.message() + ": " + advice;
}

int fail(const error& err, const std::string& data_dir) { return fail(with_advice(err, data_dir)); }

}  // namespace raftvault::cli
