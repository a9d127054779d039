// A service that drops its storage handle without closing it must not hang in the actor
// system's destructor, and what it was answered durable stays durable.
#include <catch2/catch.hpp>

#include <caf/scoped_actor.hpp>

#include "actors/pipeline.h"
#include "service_model.h"

using namespace raftvault;
using namespace raftvault::actors;
using namespace raftvault::testing;

TEST_CASE("a pipeline whose handle is dropped unclosed lets its actor system end", "[actors][lifetime]") {
  temp_dir dir;
  const auto options = test_store_options(dir, 1 << 20);
  {
    pipeline_config config;
    caf::actor_system system{config};
    auto storage = spawn_pipeline(system, options);
    REQUIRE(storage);
    caf::scoped_actor self{system};
    bool durable = false;
    self->request(*storage, caf::infinite, append_atom::value, hard_state{1, 1, 0}, make_entries(1, 10, 1, 32))
        .receive([&](std::uint64_t last) { durable = last == 10; }, [&](caf::error&) {});
    REQUIRE(durable);
  }  // no close: the handle and the system go out of scope here
  auto reopened = blocking_storage::open(options);
  INFO((reopened ? std::string() : reopened.error().describe()));
  REQUIRE(reopened);
  auto recovered = (*reopened)->recover();
  REQUIRE(recovered);
  CHECK(recovered->entries == make_entries(1, 10, 1, 32));
  REQUIRE((*reopened)->close());
}
