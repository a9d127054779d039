// Turning autolock on without ever risking the unlock key (docs/keys.md, "KEK rotation and
// autolock"): set_autolock(true) makes the key and replaces the key file before the reply, so a
// crash in between leaves a store locked under a key nobody saw. The two-step form makes the
// key first, where the caller keeps it safe, and only then locks the store with it.
#include <catch2/catch.hpp>

#include <optional>

#include "actors/pipeline.h"
#include "keys/unlock_key.h"
#include "service_model.h"
#include "support/test_support.h"

using namespace raftvault;
using namespace raftvault::actors;
using raftvault::testing::make_entries;
using raftvault::testing::temp_dir;
using raftvault::testing::test_store_options;

TEST_CASE("autolock on in two steps: the caller holds the key before the store is locked",
          "[actors][autolock]") {
  temp_dir dir;
  auto options = test_store_options(dir, 64 << 10);
  std::optional<keys::unlock_key> kek;
  std::string text;
  {
    auto store = blocking_storage::open(options);
    REQUIRE(store);
    REQUIRE((*store)->recover());
    REQUIRE((*store)->append({1, 1, 0}, make_entries(1, 10, 1, 100)));
    auto before = (*store)->status_report();
    REQUIRE(before);
    REQUIRE_FALSE(before->locked);

    // Step 1: the caller makes the key and keeps it (here: in memory). Nothing changed yet.
    auto made = keys::unlock_key::generate();
    REQUIRE(made);
    auto shown = made->text();
    REQUIRE(shown);
    text = std::string(shown->view());
    kek = std::move(*made);
    // Step 2: install it as the next version, which locks the store.
    auto installed = (*store)->rotate_kek(text, before->kek_version + 1);
    REQUIRE(installed);
    CHECK(*installed);
    auto after = (*store)->status_report();
    REQUIRE(after);
    CHECK(after->locked);
    CHECK(after->kek_version == before->kek_version + 1);
    REQUIRE((*store)->append({1, 1, 10}, make_entries(11, 10, 1, 100)));
    REQUIRE((*store)->close());
  }
  auto without_key = blocking_storage::open(options);
  REQUIRE_FALSE(without_key);
  auto store = blocking_storage::open(options, &*kek);
  REQUIRE(store);
  auto recovered = (*store)->recover();
  REQUIRE(recovered);
  CHECK(recovered->entries.size() == 20);
}
