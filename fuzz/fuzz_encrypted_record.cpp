// MaybeEncryptedRecord bytes as found in Entry.Data / Snapshot.data and in the key file's DEK
// headers: parsing (codec/record_wire), inspect_record, open() at two places with the test
// DEKs, open_with_ad, plain (NONE) records, and payload_codec's entry and snapshot opening.
// Seeds are records sealed under the test DEKs at exactly these places, so mutations start
// from records that open.
// Properties: every failure carries one of open()'s documented error codes; a record opens
// only if it parses, and a NONE record never opens where encryption is required; an
// XChaCha20-Poly1305 record that opens at one place does not open at another; plain records
// survive re-encoding.
#include <cstddef>
#include <cstdint>
#include <string>

#include "codec/cipher.h"
#include "fuzz/fuzz_support.h"
#include "raftlog/payload_codec.h"

using namespace raftvault;
using namespace raftvault::codec;

namespace {

// Where the seeds were sealed (fuzz/README.md): entry index 1 term 1 (normal) with DEK 1 and
// the golden vectors' snapshot (index 20 term 2) with DEK 2.
const record_place kEntryPlace = entry_place(1, 1, 0);
const record_place kSnapshotPlace = snapshot_place(20, 2);
constexpr std::string_view kAssociatedData = "raftvault/v1 key-file raft-dek generation 1";

bool documented(errc code) {
  return code == errc::corruption || code == errc::missing_key || code == errc::wrong_key ||
         code == errc::unsupported_algorithm;
}

void expect_documented(const result<std::string>& opened, const char* what) {
  if (!opened) {
    FUZZ_CHECK(documented(opened.error().code()),
               std::string(what) + " failed as " + opened.error().describe());
  }
}

std::shared_ptr<const raftlog::payload_codec> opening_codec() {
  auto made = raftlog::payload_codec::make(cipher::xchacha20poly1305, std::nullopt,
                                           {fuzz::test_dek(1), fuzz::test_dek(2)});
  FUZZ_CHECK(made.has_value(), "payload codec: " + made.error().describe());
  return made.value();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const key_set keys{fuzz::test_dek(1).ref, fuzz::test_dek(2).ref};
  static const auto codec = opening_codec();
  const std::string_view record(reinterpret_cast<const char*>(data), size);

  const auto header = inspect_record(record);
  if (!header) FUZZ_CHECK(header.error().code() == errc::corruption, "inspect: not corruption");

  const auto at_entry = open(keys, record, kEntryPlace, none_records::refuse);
  const auto at_snapshot = open(keys, record, kSnapshotPlace, none_records::refuse);
  const auto accepting = open(keys, record, kEntryPlace, none_records::accept);
  const auto with_ad = open_with_ad(keys, record, kAssociatedData, "fuzz record");
  expect_documented(at_entry, "open at an entry");
  expect_documented(at_snapshot, "open at a snapshot");
  expect_documented(accepting, "open accepting NONE");
  expect_documented(with_ad, "open_with_ad");

  for (const auto* opened : {&at_entry, &at_snapshot, &accepting, &with_ad}) {
    if (!*opened) continue;
    FUZZ_CHECK(header.has_value(), "a record that does not parse opened");
    FUZZ_CHECK(header->algorithm == 0 || header->algorithm == 1 || header->algorithm == 3,
               "algorithm " + std::to_string(header->algorithm) + " opened");
  }
  if (header && header->algorithm == 0) {
    FUZZ_CHECK(!at_entry && !at_snapshot && !with_ad, "a NONE record opened where refused");
    FUZZ_CHECK(accepting && accepting->size() == header->data_size,
               "a NONE record is not its own data");
  }
  if (header && header->algorithm == static_cast<std::uint32_t>(
                                         record_algorithm::xchacha20_poly1305)) {
    FUZZ_CHECK(!(at_entry && at_snapshot), "one XChaCha20-Poly1305 record opened at two places");
  }
  if (header && header->algorithm == static_cast<std::uint32_t>(
                                         record_algorithm::secretbox_salsa20_poly1305)) {
    // No associated data: a secretbox record opens anywhere its key is held (SwarmKit's format).
    FUZZ_CHECK(at_entry.has_value() == at_snapshot.has_value(),
               "a secretbox record depends on its place");
  }

  const auto opened_entry = codec->open_entry(entry{1, 1, entry_type::normal, std::string(record)});
  FUZZ_CHECK(opened_entry.has_value() == at_entry.has_value(),
             "payload_codec and codec::open disagree on an entry");
  if (opened_entry) FUZZ_CHECK(opened_entry->data == *at_entry, "different plaintexts");
  snapshot stored{std::string(record), {{}, 20, 2}};
  const auto opened_snapshot = codec->open_snapshot(stored);
  FUZZ_CHECK(opened_snapshot.has_value() == at_snapshot.has_value(),
             "payload_codec and codec::open disagree on a snapshot");

  if (auto plain = decode_plain_record(record)) {
    FUZZ_CHECK(header && header->algorithm == 0, "an encrypted record decoded as plain");
    auto again = decode_plain_record(encode_plain_record(plain->data, plain->key_id));
    FUZZ_CHECK(again && again->data == plain->data && again->key_id == plain->key_id,
               "a plain record does not survive re-encoding");
  }
  return 0;
}
