// The blocking API's submit: threads that take their indexes under one lock, submit there and
// wait outside it share the WAL's fdatasyncs, as actors do.
#include <catch2/catch.hpp>

#include <mutex>
#include <thread>

#include "actors/pipeline.h"
#include "service_model.h"

using namespace raftvault;
using namespace raftvault::actors;
using namespace raftvault::testing;

TEST_CASE("blocking submit: 16 threads share fdatasyncs and every append is durable in order", "[actors][blocking]") {
  temp_dir dir;
  auto store = blocking_storage::open(test_store_options(dir, 4 << 20));
  REQUIRE(store);
  auto& s = **store;
  constexpr std::size_t kThreads = 16;
  constexpr std::size_t kAppends = 40;
  std::mutex order;
  std::uint64_t next_index = 1;
  std::vector<std::string> failures(kThreads);
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (std::size_t i = 0; i < kAppends; ++i) {
        append_ticket ticket;
        std::uint64_t index = 0;
        {
          std::lock_guard<std::mutex> guard(order);
          index = next_index++;
          ticket = s.submit({1, 1, index - 1}, make_entries(index, 1, 1, 64));
        }
        auto durable = ticket.wait();
        if (!durable) {
          failures[t] = durable.error().describe();
          return;
        }
        if (*durable < index) {
          failures[t] = "append " + std::to_string(index) + " answered durable only up to " + std::to_string(*durable);
          return;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  for (const auto& f : failures) CHECK(f.empty());
  auto st = s.status_report();
  REQUIRE(st);
  CHECK(st->last_index == kThreads * kAppends);
  CHECK(st->durable_appends == kThreads * kAppends);
  INFO(st->durable_appends << " appends in " << st->fsync_groups << " fdatasyncs");
#if !defined(__SANITIZE_ADDRESS__)
  // Under the sanitizers the appends' CPU path is several times slower than the disk's
  // fdatasync, so the ratio would measure the sanitizer; the normal build checks it.
  CHECK(st->durable_appends >= 4 * st->fsync_groups);
#endif
  REQUIRE(s.close());
  store->reset();
  auto reopened = blocking_storage::open(test_store_options(dir, 4 << 20));
  INFO((reopened ? std::string() : reopened.error().describe()));
  REQUIRE(reopened);
  auto recovered = (*reopened)->recover();
  REQUIRE(recovered);
  CHECK(recovered->entries == make_entries(1, kThreads * kAppends, 1, 64));
  REQUIRE((*reopened)->close());
}

TEST_CASE("blocking submit: a refused append's ticket says why", "[actors][blocking]") {
  temp_dir dir;
  auto store = blocking_storage::open(test_store_options(dir, 1 << 20));
  REQUIRE(store);
  auto gap = (*store)->submit({}, make_entries(5, 1, 1, 8)).wait();
  REQUIRE_FALSE(gap);
  CHECK(gap.error().code() == errc::invalid_argument);
  CHECK_THAT(gap.error().message(), Catch::Contains("leaves a gap"));
  REQUIRE((*store)->close());
  auto closed = (*store)->submit({}, make_entries(1, 1, 1, 8)).wait();
  REQUIRE_FALSE(closed);
  CHECK(closed.error().code() == errc::closed);
}
