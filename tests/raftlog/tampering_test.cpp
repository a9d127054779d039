// Tampering with sealed payloads on disk, with the CRC chain re-fixed afterwards (the CRC is a
// checksum, not a MAC: anyone who can write the files can recompute it). XChaCha20-Poly1305's
// associated data catches a swap; secretbox (SwarmKit's format) cannot, and this file pins
// that weakness down so it stays documented.
#include <catch2/catch.hpp>

#include "codec/raft_codec.h"
#include "raftlog/encrypted_log.h"
#include "raftlog/encryption_fixtures.h"

using namespace raftvault;
using namespace raftvault::raftlog;
using raftvault::testing::make_entries;
using raftvault::testing::make_key;
using raftvault::testing::segment_frame;
using raftvault::testing::temp_dir;

namespace {

// Writes entries 1..10 (term 1) into a new store sealed by `codec`.
void write_store(const std::string& data_dir, const std::shared_ptr<const payload_codec>& codec) {
  log_options small;  // a small preallocation keeps the rewrite cheap
  small.wal.segment_size = 1 << 20;
  auto log = encrypted_log::create(data_dir, "m", codec, small);
  REQUIRE(log);
  REQUIRE((*log)->save(hard_state{1, 1, 10}, make_entries(1, 10, 1)));
  REQUIRE((*log)->close());
}

// Applies `edit` to the decoded raftpb.Entry records of the store's WAL and re-chains the CRCs.
void edit_entries(const std::string& data_dir, const std::function<void(std::vector<entry>&)>& edit) {
  testing::rewrite_wal(data_dir + "/wal-v3-encrypted", [&](std::vector<segment_frame>& frames) {
    const auto positions = testing::entry_frame_positions(frames);
    std::vector<entry> entries;
    for (std::size_t p : positions) {
      auto decoded = codec::decode_entry(frames[p].data);
      REQUIRE(decoded);
      entries.push_back(*decoded);
    }
    edit(entries);
    for (std::size_t i = 0; i < positions.size(); ++i) {
      frames[positions[i]].data = codec::encode_entry(entries[i]);
    }
  });
}

void swap_payloads(std::vector<entry>& entries, std::uint64_t a, std::uint64_t b) {
  std::swap(entries.at(a - 1).data, entries.at(b - 1).data);
}

}  // namespace

TEST_CASE("XChaCha20: swapped payloads fail authentication naming the index", "[tampering]") {
  temp_dir dir;
  auto codec = testing::single_key_codec(codec::cipher::xchacha20poly1305, make_key(1, 0x33));
  write_store(dir.path(), codec);
  edit_entries(dir.path(), [](std::vector<entry>& e) { swap_payloads(e, 3, 7); });

  // The CRC chain is intact again: the WAL layer reads the tampered log without complaint.
  auto raw = read_wal(dir / "wal-v3-encrypted", {});
  REQUIRE(raw);
  CHECK(raw->entries.size() == 10);

  recovered_state out;
  auto opened = encrypted_log::open(dir.path(), codec, out);
  REQUIRE_FALSE(opened);
  CHECK(opened.error().code() == errc::wrong_key);
  CHECK_THAT(opened.error().message(), Catch::Contains("entry index 3 term 1") &&
                                           Catch::Contains("wal-v3-encrypted"));
  auto read = read_store(dir.path(), codec);
  REQUIRE_FALSE(read);
  CHECK(read.error().code() == errc::wrong_key);
}

TEST_CASE("secretbox: the same swap opens with swapped payloads (SwarmKit's weakness)", "[tampering]") {
  temp_dir dir;
  auto codec = testing::single_key_codec(codec::cipher::secretbox, make_key(0, 0x33));
  write_store(dir.path(), codec);
  edit_entries(dir.path(), [](std::vector<entry>& e) { swap_payloads(e, 3, 7); });

  // Undetectable: secretbox records carry no associated data binding them to their entry.
  recovered_state out;
  auto opened = encrypted_log::open(dir.path(), codec, out);
  REQUIRE(opened);
  const auto original = make_entries(1, 10, 1);
  REQUIRE(out.entries.size() == 10);
  CHECK(out.entries[2].index == 3);
  CHECK(out.entries[2].data == original[6].data);
  CHECK(out.entries[6].index == 7);
  CHECK(out.entries[6].data == original[2].data);
  for (std::size_t i : {0, 1, 3, 4, 5, 7, 8, 9}) CHECK(out.entries[i] == original[i]);
  REQUIRE((*opened)->close());
}

TEST_CASE("a flipped ciphertext bit or an injected NONE record is refused", "[tampering]") {
  for (auto cipher : {codec::cipher::xchacha20poly1305, codec::cipher::secretbox}) {
    INFO(codec::to_string(cipher));
    {
      temp_dir dir;
      auto codec = testing::single_key_codec(cipher, make_key(1, 0x44));
      write_store(dir.path(), codec);
      edit_entries(dir.path(), [](std::vector<entry>& e) { e.at(5).data[10] ^= 0x01; });
      auto read = read_store(dir.path(), codec);
      REQUIRE_FALSE(read);
      CHECK(read.error().code() == errc::wrong_key);
      CHECK_THAT(read.error().message(), Catch::Contains("entry index 6 term 1"));
    }
    {
      temp_dir dir;
      auto codec = testing::single_key_codec(cipher, make_key(1, 0x44));
      write_store(dir.path(), codec);
      edit_entries(dir.path(), [](std::vector<entry>& e) {
        e.at(8).data = codec::encode_plain_record("forged command");
      });
      auto read = read_store(dir.path(), codec);
      REQUIRE_FALSE(read);
      CHECK(read.error().code() == errc::corruption);
      CHECK_THAT(read.error().message(), Catch::Contains("entry index 9 term 1") &&
                                             Catch::Contains("not encrypted"));
    }
  }
}
