// payload_codec: identity for plaintext, sealing bound to the entry's place, key sets,
// all-or-nothing batches, and the MANIFEST's secretbox records opened with the vector key.
#include "raftlog/payload_codec.h"

#include <catch2/catch.hpp>

#include "raftlog/encryption_fixtures.h"
#include "support/json_lite.h"

using namespace raftvault;
using namespace raftvault::raftlog;
using raftvault::testing::make_entries;
using raftvault::testing::make_key;

TEST_CASE("plaintext codec is the identity", "[payload_codec]") {
  auto plain = payload_codec::plaintext();
  CHECK_FALSE(plain->encrypted());
  CHECK(plain->cipher() == codec::cipher::none);
  const auto entries = make_entries(1, 6, 2);
  auto sealed = plain->seal_entries(entries);
  REQUIRE(sealed);
  CHECK(*sealed == entries);
  CHECK(*plain->open_entry(entries[3]) == entries[3]);
  snapshot s;
  s.data = "state";
  s.metadata.index = 5;
  s.metadata.term = 2;
  CHECK(*plain->seal_snapshot(s) == s);
  CHECK(*plain->open_snapshot(s) == s);
}

TEST_CASE("encrypted codecs round-trip entries and snapshots", "[payload_codec]") {
  for (auto cipher : {codec::cipher::xchacha20poly1305, codec::cipher::secretbox}) {
    INFO(codec::to_string(cipher));
    auto codec = testing::single_key_codec(cipher, make_key(7, 0x40));
    const auto entries = make_entries(10, 20, 3);
    auto sealed = codec->seal_entries(entries);
    REQUIRE(sealed);
    REQUIRE(sealed->size() == entries.size());
    for (std::size_t i = 0; i < entries.size(); ++i) {
      const entry& s = (*sealed)[i];
      CHECK(s.index == entries[i].index);
      CHECK(s.term == entries[i].term);
      CHECK(s.type == entries[i].type);
      CHECK(s.data != entries[i].data);  // even empty data becomes a record
      auto header = codec::inspect_record(s.data);
      REQUIRE(header);
      CHECK(header->key_id == (cipher == codec::cipher::xchacha20poly1305 ? 7u : 0u));
      auto opened = codec->open_entry(s);
      REQUIRE(opened);
      CHECK(*opened == entries[i]);
    }
    snapshot snap;
    snap.data = std::string(3000, 'z');
    snap.metadata.index = 20;
    snap.metadata.term = 3;
    snap.metadata.conf.voters = {1, 2};
    auto sealed_snap = codec->seal_snapshot(snap);
    REQUIRE(sealed_snap);
    CHECK(sealed_snap->metadata == snap.metadata);
    CHECK(*codec->open_snapshot(*sealed_snap) == snap);
  }
}

TEST_CASE("xchacha records are bound to index, term, type and kind", "[payload_codec]") {
  auto codec = testing::single_key_codec(codec::cipher::xchacha20poly1305, make_key(1, 0x11));
  auto sealed = codec->seal_entries(make_entries(4, 4, 2));
  REQUIRE(sealed);
  entry moved = (*sealed)[0];
  moved.index = 5;
  auto opened = codec->open_entry(moved);
  REQUIRE_FALSE(opened);
  CHECK(opened.error().code() == errc::wrong_key);
  CHECK_THAT(opened.error().message(), Catch::Contains("entry index 5 term 2"));

  entry retyped = (*sealed)[0];
  retyped.type = entry_type::conf_change;
  CHECK(codec->open_entry(retyped).error().code() == errc::wrong_key);

  snapshot as_snapshot;
  as_snapshot.data = (*sealed)[0].data;
  as_snapshot.metadata.index = 4;
  as_snapshot.metadata.term = 2;
  auto snap = codec->open_snapshot(as_snapshot);
  REQUIRE_FALSE(snap);
  CHECK(snap.error().code() == errc::wrong_key);
  CHECK_THAT(snap.error().message(), Catch::Contains("snapshot index 4 term 2"));
}

TEST_CASE("an encrypted codec refuses NONE records", "[payload_codec]") {
  auto codec = testing::single_key_codec(codec::cipher::xchacha20poly1305, make_key(1, 0x11));
  entry slipped{2, 9, entry_type::normal, codec::encode_plain_record("injected")};
  auto opened = codec->open_entry(slipped);
  REQUIRE_FALSE(opened);
  CHECK(opened.error().code() == errc::corruption);
  CHECK_THAT(opened.error().message(), Catch::Contains("entry index 9") &&
                                           Catch::Contains("not encrypted"));
}

TEST_CASE("a batch with a failing seal returns nothing", "[payload_codec]") {
  raftlog::held_key null_key{codec::key_ref{4, nullptr}, nullptr};
  auto codec = testing::codec_with(codec::cipher::xchacha20poly1305, null_key, {null_key});
  auto sealed = codec->seal_entries(make_entries(1, 3, 1));
  REQUIRE_FALSE(sealed);
  CHECK(sealed.error().code() == errc::invalid_argument);
  snapshot s;
  s.metadata.index = 3;
  CHECK(codec->seal_snapshot(s).error().code() == errc::invalid_argument);
  // A null opening key is never tried: the record's generation is reported as not openable.
  auto good = testing::single_key_codec(codec::cipher::xchacha20poly1305, make_key(4, 0x22));
  auto record = good->seal_entries(make_entries(1, 1, 1));
  REQUIRE(record);
  auto opened = codec->open_entry((*record)[0]);
  REQUIRE_FALSE(opened);
  CHECK(opened.error().code() == errc::missing_key);
}

TEST_CASE("key sets: sealing key switch and retirement", "[payload_codec]") {
  const auto gen1 = make_key(1, 0x10);
  const auto gen2 = make_key(2, 0x60);
  auto old_codec = testing::single_key_codec(codec::cipher::xchacha20poly1305, gen1);
  auto old_records = old_codec->seal_entries(make_entries(1, 3, 1));
  REQUIRE(old_records);

  auto switched = old_codec->with_sealing_key(gen2);
  REQUIRE(switched);
  const auto& both = *switched;
  CHECK(both->sealing_generation() == 2);
  CHECK(both->opening_generations() == std::vector<std::uint32_t>{1, 2});
  auto new_records = both->seal_entries(make_entries(4, 5, 1));
  REQUIRE(new_records);
  CHECK(codec::inspect_record((*new_records)[0].data)->key_id == 2);
  CHECK(both->open_entry((*old_records)[1]));

  auto retired = both->without_key(1);
  REQUIRE(retired);
  CHECK((*retired)->opening_generations() == std::vector<std::uint32_t>{2});
  auto missing = (*retired)->open_entry((*old_records)[1]);
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code() == errc::missing_key);
  CHECK_THAT(missing.error().message(), Catch::Contains("generation 1") &&
                                            Catch::Contains("entry index 2"));

  auto sealing_retired = both->without_key(2);
  REQUIRE_FALSE(sealing_retired);
  CHECK(sealing_retired.error().code() == errc::invalid_argument);
  CHECK(both->without_key(9).error().code() == errc::not_found);
  // A different key under a generation already held is refused.
  auto clash = both->with_sealing_key(make_key(1, 0x99));
  REQUIRE_FALSE(clash);
  CHECK_THAT(clash.error().message(), Catch::Contains("generation 1"));
}

TEST_CASE("make() checks its arguments", "[payload_codec]") {
  auto stray = payload_codec::make(codec::cipher::xchacha20poly1305, make_key(3, 1), {make_key(1, 2)});
  REQUIRE_FALSE(stray);
  CHECK(stray.error().code() == errc::invalid_argument);
  CHECK_THAT(stray.error().message(), Catch::Contains("generation 3"));
  auto keyed_plain = payload_codec::make(codec::cipher::none, make_key(1, 1), {make_key(1, 1)});
  REQUIRE_FALSE(keyed_plain);
  CHECK(keyed_plain.error().code() == errc::invalid_argument);
  auto open_only = payload_codec::make(codec::cipher::secretbox, std::nullopt, {make_key(0, 0)});
  REQUIRE(open_only);
  auto sealed = (*open_only)->seal_entries(make_entries(1, 1, 1));
  REQUIRE_FALSE(sealed);
  CHECK_THAT(sealed.error().message(), Catch::Contains("no sealing key"));
}

TEST_CASE("the MANIFEST's secretbox records open with the vector key", "[payload_codec][vectors]") {
  const auto expected =
      testing::json::parse(testing::read_bytes(testing::etcd_vectors("expected.json")));
  auto codec = testing::single_key_codec(codec::cipher::secretbox, testing::vector_key());
  std::size_t checked = 0;
  for (const auto& e : expected["entries"].as_array()) {
    if (!e["secretbox"].contains("record_hex")) continue;
    entry stored;
    stored.index = e["index"].as_uint();
    stored.term = e["term"].as_uint();
    stored.type = static_cast<entry_type>(e["type"].as_uint());
    stored.data = testing::unhex(e["secretbox"]["record_hex"].as_string());
    auto opened = codec->open_entry(stored);
    REQUIRE(opened);
    CHECK(opened->data.size() == e["data_len"].as_uint());
    CHECK(testing::sha256_hex(opened->data) == e["data_sha256"].as_string());
    ++checked;
  }
  CHECK(checked >= 10);
}
