// Every named crash point (fileio::crash_point) and the programs that reach it, for the kill -9
// campaign. The table is checked against the sources at run time: a crash point added to the
// code without a row here is a violation, so the campaign cannot silently fall behind.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "codec/error.h"

namespace raftvault::reliability {

// What runs when the child stops at the point.
enum class crash_driver {
  bench_load,         // raftvault-bench pipeline --reopen on a store with data, under load
  bench_first_start,  // the same on an empty directory: the service's first start
  cli_rotate_dek,     // raftvault rotate-dek on a store the bench wrote
  cli_import,         // raftvault import of an exported copy into a new directory
  cli_export,         // raftvault export of a store the bench wrote
  library_only,       // no driver reaches it (a library API, or a CLI path the drivers skip);
                      // its own crash test does
};
const char* to_string(crash_driver driver);

struct crash_point_row {
  const char* name;
  // The first driver is the smoke run's; the long run takes every driver.
  std::vector<crash_driver> drivers;
  // Occurrences a run of the driver reaches for sure: the long run stops at several of them.
  int occurrences = 1;
};
const std::vector<crash_point_row>& crash_point_table();

// The names passed to fileio::crash_point("...") in the library and program sources under
// `source_dir` (fileio, keys, raftlog, actors, tools). errc::not_found when they are not there.
result<std::set<std::string>> crash_points_in_sources(const std::string& source_dir);

}  // namespace raftvault::reliability
