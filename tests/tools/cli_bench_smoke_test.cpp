// A few-second smoke run of each raftvault-bench subcommand, on the real binary: each ends
// with exit 0 and reports the figures it promises (JSON on stdout or in a file, CSV time
// series with its markers). Figures are checked for presence and sanity, never for speed.
#include <numeric>
#include <sstream>

#include "cli_fixtures.h"
#include "fileio/file.h"
#include "support/json_lite.h"

using namespace raftvault;
using namespace raftvault::testing;

namespace {

run_result bench(const std::vector<std::string>& args) {
  auto r = run_raftvault(args, {}, {}, {}, "raftvault-bench");
  INFO(r.err);
  return r;
}

json::value last_json_line(const std::string& out) {
  const auto end = out.find_last_not_of('\n');
  const auto start = out.rfind('\n', end);
  return json::parse(out.substr(start == std::string::npos ? 0 : start + 1, end + 1));
}

// The CSV's rows as columns by header name.
std::map<std::string, std::vector<double>> read_csv(const std::string& path) {
  std::istringstream lines(read_bytes(path));
  std::string line;
  std::getline(lines, line);
  CHECK(line == "t_s,appends,entries,entries_per_sec,p50_us,p99_us,rotations,snapshots");
  std::vector<std::string> names;
  std::istringstream header(line);
  for (std::string name; std::getline(header, name, ',');) names.push_back(name);
  std::map<std::string, std::vector<double>> columns;
  while (std::getline(lines, line)) {
    std::istringstream cells(line);
    std::string cell;
    for (const auto& name : names) {
      REQUIRE(std::getline(cells, cell, ','));
      columns[name].push_back(std::stod(cell));
    }
  }
  return columns;
}

double sum(const std::vector<double>& values) { return std::accumulate(values.begin(), values.end(), 0.0); }

}  // namespace

TEST_CASE("bench ceiling measures every durable-write mode, both ciphers and CRC-32C", "[cli][bench]") {
  temp_dir dir;
  auto r = bench({"ceiling", "--duration", "50ms", "--block", "512", "--data-dir", dir / "c", "--json"});
  REQUIRE(r.exit_code == 0);
  const auto j = last_json_line(r.out);
  CHECK(j["bench"].as_string() == "ceiling");
  CHECK(j["ceiling_write_fdatasync_p50_us"].as_double() > 0);
  CHECK(j["ceiling_best_durable_p50_us"].as_double() > 0);
  CHECK(j["ceiling_sequential_mb_per_sec"].as_double() > 0);
  for (const char* cipher : {"xchacha20poly1305", "secretbox"}) {
    CHECK(j[std::string("ceiling_") + cipher + "_seal_mb_per_sec"].as_double() > 0);
    CHECK(j[std::string("ceiling_") + cipher + "_open_mb_per_sec"].as_double() > 0);
  }
  CHECK(j["ceiling_crc32c_mb_per_sec"].as_double() > 0);
}

TEST_CASE("bench wal writes its JSON to --json FILE and its table to stdout", "[cli][bench]") {
  temp_dir dir;
  const std::string out = dir / "wal.json";
  auto r = bench({"wal", "--entries", "512", "--size", "128", "--batch", "64", "--data-dir", dir / "w",
                  "--json", out});
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.rfind("raftvault-bench wal: 512 entries", 0) == 0);
  const auto j = json::parse(read_bytes(out));
  CHECK(j["entries"].as_uint() == 512);
  CHECK(j["fdatasyncs"].as_uint() >= 8);
}

TEST_CASE("bench pipeline --rate runs an open loop with snapshots into a CSV time series", "[cli][bench]") {
  temp_dir dir;
  const std::string csv = dir / "series.csv";
  auto r = bench({"pipeline", "--producers", "2", "--rate", "2000", "--duration", "0.8", "--snapshot-every",
                  "200ms", "--no-raw-disk", "--data-dir", dir / "p", "--csv", csv, "--json"});
  REQUIRE(r.exit_code == 0);
  const auto j = last_json_line(r.out);
  CHECK(j["mode"].as_string() == "open-loop");
  CHECK(j["sent_appends"].as_uint() > 0);
  CHECK(j["failed_appends"].as_uint() == 0);
  CHECK(j["snapshots"].as_uint() >= 1);
  CHECK(j["peak_rss_mib"].as_double() > 0);
  CHECK(j["rss_limit_mib"].as_double() == Approx(64 + 64));
  auto columns = read_csv(csv);
  CHECK(columns["t_s"].size() >= 5);
  CHECK(sum(columns["appends"]) > 0);
  CHECK(sum(columns["snapshots"]) == j["snapshots"].as_double());
}

TEST_CASE("bench rotation marks each DEK rotation in the time series", "[cli][bench]") {
  temp_dir dir;
  const std::string csv = dir / "rotation.csv";
  auto r = bench({"rotation", "--producers", "4", "--duration", "1.2", "--rotate-at", "0.3", "--rotations", "2",
                  "--no-raw-disk", "--data-dir", dir / "r", "--csv", csv, "--json"});
  REQUIRE(r.exit_code == 0);
  const auto j = last_json_line(r.out);
  CHECK(j["rotations"].as_uint() == 2);
  CHECK(j["failed_appends"].as_uint() == 0);
  // The rotation run asks for rotations on a timer; on a loaded machine fewer than asked may
  // finish within its seconds, but the series marks every one that did.
  CHECK(sum(read_csv(csv)["rotations"]) >= 1);
}

TEST_CASE("bench recovery reopens the encrypted store it wrote and reads every entry back", "[cli][bench]") {
  temp_dir dir;
  auto r = bench({"recovery", "--store-size", "2MiB", "--no-cold", "--data-dir", dir / "rec", "--json"});
  REQUIRE(r.exit_code == 0);
  const auto j = last_json_line(r.out);
  CHECK(j["recovery_entries"].as_uint() == 512);
  CHECK(j["recovery_warm_mb_per_sec"].as_double() > 0);
  CHECK(j["recovery_workers"].as_uint() == 1);
  CHECK(j["recovery_cold_skipped"].as_string() == "not asked (--no-cold)");
  CHECK_FALSE(fileio::exists(dir / "rec"));  // the run's directory is removed
}

TEST_CASE("bench all --quick runs every bench and judges every target", "[cli][bench]") {
  temp_dir dir;
  const std::string out = dir / "all.json";
  const std::string csv = dir / "rotation.csv";
  auto r = bench({"all", "--quick", "--data-dir", dir / "a", "--json", out, "--csv", csv});
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("== targets") != std::string::npos);
  const auto j = json::parse(read_bytes(out));
  CHECK(j["runs"].size() == 8);
  const auto& targets = j["targets"];
  REQUIRE(targets.size() == 8);
  for (std::size_t i = 0; i < targets.size(); ++i) {
    const auto verdict = targets[i]["verdict"].as_string();
    CHECK((verdict == "PASS" || verdict == "MISS" || verdict == "NOT MEASURED"));
  }
  // The rotation run asks for rotations on a timer; on a loaded machine fewer than asked may
  // finish within its seconds, but the series marks every one that did.
  CHECK(sum(read_csv(csv)["rotations"]) >= 1);
}

TEST_CASE("bench raft is reserved, and bad options are usage errors naming the option", "[cli][bench]") {
  auto raft = bench({"raft"});
  CHECK(raft.exit_code == 2);
  CHECK(raft.err == "raftvault-bench raft: not built yet (it comes with the raft engine)\n");
  auto bad = bench({"recovery", "--store-size", "lots"});
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.rfind("raftvault-bench recovery: --store-size lots: not a size (e.g. 128, 4KiB, 1MiB)\n", 0) == 0);
}
