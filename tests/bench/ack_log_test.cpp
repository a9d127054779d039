// The ack log of `raftvault-bench pipeline --ack-log`: what a kill -9 campaign compares with the
// recovered store, so every line must be whole and reach the file before the next append.
#include "bench/ack_log.h"

#include <sys/stat.h>

#include <catch2/catch.hpp>

#include <set>
#include <sstream>
#include <thread>
#include <vector>

#include "support/test_support.h"

using namespace raftvault;
using raftvault::bench::ack_log;
using raftvault::testing::read_bytes;
using raftvault::testing::temp_dir;
using raftvault::testing::write_bytes;

TEST_CASE("the ack log holds one decimal line per acknowledgement, 0600", "[bench]") {
  temp_dir dir;
  const auto path = dir / "acks";
  {
    auto log = ack_log::open(path);
    REQUIRE(log);
    REQUIRE(log->record(1));
    REQUIRE(log->record(42));
    // Read back while the log is still open: nothing waits in a buffer of the process.
    CHECK(read_bytes(path) == "1\n42\n");
    REQUIRE(log->record(18446744073709551615ull));
  }
  CHECK(read_bytes(path) == "1\n42\n18446744073709551615\n");
  struct stat st;
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
}

TEST_CASE("the ack log appends to the lines of earlier runs", "[bench]") {
  temp_dir dir;
  const auto path = dir / "acks";
  write_bytes(path, "7\n");
  auto log = ack_log::open(path);
  REQUIRE(log);
  REQUIRE(log->record(8));
  CHECK(read_bytes(path) == "7\n8\n");
}

TEST_CASE("concurrent producers' lines never interleave", "[bench]") {
  temp_dir dir;
  const auto path = dir / "acks";
  auto log = ack_log::open(path);
  REQUIRE(log);
  constexpr std::uint64_t kThreads = 4, kEach = 2000;
  std::vector<std::thread> threads;
  for (std::uint64_t t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      // Values of different lengths, so an interleaving would show as a wrong number.
      for (std::uint64_t i = 0; i < kEach; ++i) (void)log->record(t * 1000000007ull + i * 13);
    });
  }
  for (auto& t : threads) t.join();
  std::set<std::uint64_t> expected, found;
  for (std::uint64_t t = 0; t < kThreads; ++t)
    for (std::uint64_t i = 0; i < kEach; ++i) expected.insert(t * 1000000007ull + i * 13);
  std::istringstream lines(read_bytes(path));
  std::string line;
  std::size_t count = 0;
  while (std::getline(lines, line)) {
    ++count;
    REQUIRE(line.find_first_not_of("0123456789") == std::string::npos);
    found.insert(std::stoull(line));
  }
  CHECK(count == kThreads * kEach);
  CHECK(found == expected);
}

TEST_CASE("ack log failures name the file", "[bench]") {
  temp_dir dir;
  auto missing = ack_log::open(dir / "no-such-dir/acks");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code() == errc::io);
  CHECK(missing.error().message().find(dir / "no-such-dir/acks") != std::string::npos);

  // /dev/full refuses every write as a full disk would.
  auto full = ack_log::open("/dev/full");
  REQUIRE(full);
  auto written = full->record(5);
  REQUIRE_FALSE(written);
  CHECK(written.error().sys_errno() == ENOSPC);
  CHECK(written.error().message().find("/dev/full") != std::string::npos);
}
