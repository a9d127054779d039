// raftvault.background-nice: the snapshot writer's and the key rotator's threads run at the
// configured nice value, the append path (WAL writer, scheduler workers) at the process's own.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "actors/pipeline.h"
#include "actors/thread_priority.h"
#include "service_model.h"
#include "support/test_support.h"

using namespace raftvault;
using namespace raftvault::actors;
using raftvault::testing::make_entries;
using raftvault::testing::temp_dir;

namespace {

// The nice value of every thread of this process, from /proc/self/task/<tid>/stat (field 19).
std::vector<int> thread_nice_values() {
  std::vector<int> out;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream stat(task.path() / "stat");
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
    std::istringstream fields(text.substr(text.rfind(')') + 2));
    std::string field;
    for (int i = 3; i <= 19 && fields >> field; ++i) {
      if (i == 19) out.push_back(std::stoi(field));
    }
  }
  return out;
}

// Threads of this process at exactly `nice` while a pipeline opened with background-nice =
// `configured` runs (after a status and a snapshot: both background actors have started).
long threads_at(int nice, std::uint64_t configured) {
  temp_dir dir;
  pipeline_options options;
  options.data_dir = dir / "store";
  options.create_if_missing = true;
  options.background_nice = configured;
  auto opened = blocking_storage::open(options);
  REQUIRE(opened);
  auto& store = **opened;
  REQUIRE(store.append(hard_state{1, 1, 0}, make_entries(1, 4, 1, 64)));
  REQUIRE(store.status_report());
  REQUIRE(store.save_snapshot(raftvault::testing::test_snapshot(4)));
  const auto values = thread_nice_values();
  REQUIRE(store.close());
  return std::count(values.begin(), values.end(), nice);
}

}  // namespace

TEST_CASE("the snapshot writer and the key rotator run at background-nice, nothing else does",
          "[actors][priority]") {
  const int base = this_thread_nice();
  if (base >= 7) {
    WARN("not run: the test process already runs at nice " << base);
    return;
  }
  CHECK(threads_at(7, 7) == 2);
  CHECK(threads_at(7, 0) == 0);
}

TEST_CASE("a thread's nice value is only ever raised", "[actors][priority]") {
  const int base = this_thread_nice();
  if (base >= 5) {
    WARN("not run: the test process already runs at nice " << base);
    return;
  }
  int after_raise = 0;
  int after_lower = 0;
  std::thread worker([&] {
    lower_this_thread_priority(5);
    after_raise = this_thread_nice();
    lower_this_thread_priority(3);  // would raise its priority: refused
    after_lower = this_thread_nice();
  });
  worker.join();
  CHECK(after_raise == 5);
  CHECK(after_lower == 5);
  CHECK(this_thread_nice() == base);  // per thread: the caller is untouched
}
