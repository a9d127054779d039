// A plaintext store (cipher none) has no data key in use: a DEK rotation is refused before
// anything is persisted, and a rotation flag set by autolock never starts one.
#include <catch2/catch.hpp>

#include <optional>

#include "actors/pipeline.h"
#include "service_model.h"
#include "support/test_support.h"

using namespace raftvault;
using namespace raftvault::actors;
using raftvault::testing::make_entries;
using raftvault::testing::temp_dir;
using raftvault::testing::test_store_options;

TEST_CASE("a plaintext store refuses a DEK rotation up front and keeps {C}", "[actors][rotation]") {
  temp_dir dir;
  auto options = test_store_options(dir, 256 << 10);
  options.cipher = codec::cipher::none;
  std::optional<keys::unlock_key> kek;
  {
    auto store = blocking_storage::open(options);
    REQUIRE(store);
    REQUIRE((*store)->recover());
    REQUIRE((*store)->append({1, 1, 0}, make_entries(1, 10, 1, 100)));
    auto rotated = (*store)->rotate_dek();
    REQUIRE_FALSE(rotated);
    CHECK(rotated.error().code() == errc::invalid_argument);
    CHECK_THAT(rotated.error().message(), Catch::Contains("the store is plaintext (cipher none)"));
    auto st = (*store)->status_report();
    REQUIRE(st);
    CHECK(st->rotation_state == "{C}");  // before: {C,P}, retried for ever
    // Locking the key file asks for a rotation (the DEK was stored unwrapped); none starts.
    auto text = (*store)->set_autolock(true);
    REQUIRE(text);
    auto parsed = keys::unlock_key::parse(*text);
    REQUIRE(parsed);
    kek = std::move(*parsed);
    REQUIRE((*store)->append({1, 1, 10}, make_entries(11, 10, 1, 100)));
    st = (*store)->status_report();
    REQUIRE(st);
    CHECK(st->rotation_state == "{C,F}");  // requested, never started
    REQUIRE((*store)->close());
  }
  // Reopened (locked now), the flag starts no rotation either.
  auto store = blocking_storage::open(options, &*kek);
  REQUIRE(store);
  auto st = (*store)->status_report();
  REQUIRE(st);
  CHECK(st->rotation_state == "{C,F}");
  auto recovered = (*store)->recover();
  REQUIRE(recovered);
  REQUIRE(recovered->entries.size() == 20);
  CHECK(recovered->entries.back() == make_entries(20, 1, 1, 100).front());
}
