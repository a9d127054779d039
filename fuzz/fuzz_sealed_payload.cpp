// Behind the AEAD: random bytes never pass Poly1305, so this target takes fuzz-chosen plaintext
// entries and a snapshot, seals them under a test DEK with the real sealing code (the WAL
// writer's sealing_hook, payload_codec::seal_entries / seal_snapshot), stores them in their
// real containers (a WAL segment through wal_encoder, a .snap file) and reads them back
// through the real decoders and payload_codec's open path.
// Properties: everything opens to exactly the plaintext sealed (both ciphers, DEK 1 or 2,
// payloads either side of the OpenSSL threshold); an XChaCha20-Poly1305 record does not open
// at another place (a secretbox record does: it has no associated data); a record with one bit
// flipped either fails with a documented error or opens to the same plaintext, never another.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "codec/raft_codec.h"
#include "fuzz/fuzz_support.h"
#include "raftlog/payload_codec.h"
#include "raftlog/sealing_hook.h"
#include "raftlog/snap_file.h"
#include "raftlog/wal_decoder.h"
#include "raftlog/wal_encoder.h"
#include "support/test_support.h"

using namespace raftvault;
using namespace raftvault::raftlog;

namespace {

constexpr std::size_t kMaxEntries = 4;
constexpr std::size_t kMaxPayload = 8192;  // past codec's OpenSSL threshold (2 KiB)

entry fuzzed_entry(FuzzedDataProvider& in) {
  entry e;
  e.term = in.ConsumeIntegral<std::uint64_t>();
  e.index = in.ConsumeIntegral<std::uint64_t>();
  e.type = static_cast<entry_type>(in.ConsumeIntegralInRange<std::uint32_t>(0, 2));
  e.data = in.ConsumeRandomLengthString(kMaxPayload);
  return e;
}

std::vector<std::uint64_t> fuzzed_ids(FuzzedDataProvider& in) {
  std::vector<std::uint64_t> ids(in.ConsumeIntegralInRange<std::size_t>(0, 3));
  for (auto& id : ids) id = in.ConsumeIntegral<std::uint64_t>();
  return ids;
}

snapshot fuzzed_snapshot(FuzzedDataProvider& in) {
  snapshot s;
  s.metadata.index = in.ConsumeIntegral<std::uint64_t>();
  s.metadata.term = in.ConsumeIntegral<std::uint64_t>();
  s.metadata.conf.voters = fuzzed_ids(in);
  s.metadata.conf.learners = fuzzed_ids(in);
  s.metadata.conf.voters_outgoing = fuzzed_ids(in);
  s.metadata.conf.learners_next = fuzzed_ids(in);
  s.metadata.conf.auto_leave = in.ConsumeBool();
  s.data = in.ConsumeRandomLengthString(kMaxPayload);
  return s;
}

bool documented(errc code) {
  return code == errc::corruption || code == errc::missing_key || code == errc::wrong_key ||
         code == errc::unsupported_algorithm;
}

// The WAL writer's path: seal through the sealing hook while framing, write the segment, read
// it back with the decoder, decode each entry and open it.
void through_the_wal(const payload_codec& payloads, std::shared_ptr<const payload_codec> owner,
                     const std::vector<entry>& plain) {
  static const std::string path = fuzz::scratch_dir() + "/sealed.wal";
  auto hook = sealing_hook::make(std::move(owner), plain.size());
  FUZZ_CHECK(hook.has_value(), "sealing hook: " + hook.error().describe());
  wal_encoder encoder;
  encoder.add_crc();
  for (const entry& e : plain) {
    auto data = (*hook)->data_for(e);
    FUZZ_CHECK(data.has_value(), "seal: " + data.error().describe());
    encoder.add_entry(e, *data);
  }
  testing::write_bytes(path, std::string(encoder.bytes()));

  wal_decoder decoder({path});
  decoded_record rec;
  FUZZ_CHECK(decoder.next(rec) == decode_status::record, "the crc record does not read back");
  for (const entry& e : plain) {
    FUZZ_CHECK(decoder.next(rec) == decode_status::record, "a sealed entry does not read back");
    auto stored = codec::decode_entry(rec.record.data);
    FUZZ_CHECK(stored.has_value(), "a sealed entry does not decode");
    auto opened = payloads.open_entry(*stored);
    FUZZ_CHECK(opened.has_value(), "a sealed entry does not open: " + opened.error().describe());
    FUZZ_CHECK(*opened == e, "a sealed entry opens to another entry");
  }
  FUZZ_CHECK(decoder.next(rec) == decode_status::clean_end, "the segment does not end cleanly");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider in(data, size);
  const auto cipher = in.ConsumeBool() ? codec::cipher::xchacha20poly1305 : codec::cipher::secretbox;
  const auto sealing = in.ConsumeIntegralInRange<std::uint32_t>(1, 2);
  auto made = payload_codec::make(cipher, fuzz::test_dek(sealing),
                                  {fuzz::test_dek(1), fuzz::test_dek(2)});
  FUZZ_CHECK(made.has_value(), "payload codec: " + made.error().describe());
  const auto payloads = made.value();

  std::vector<entry> plain(in.ConsumeIntegralInRange<std::size_t>(1, kMaxEntries));
  for (auto& e : plain) e = fuzzed_entry(in);
  const snapshot snap = fuzzed_snapshot(in);
  const entry elsewhere{in.ConsumeIntegral<std::uint64_t>(), in.ConsumeIntegral<std::uint64_t>(),
                        static_cast<entry_type>(in.ConsumeIntegralInRange<std::uint32_t>(0, 2)),
                        {}};
  const auto flip_at = in.ConsumeIntegral<std::size_t>();
  const auto flip_bit = in.ConsumeIntegralInRange(0, 7);

  through_the_wal(*payloads, payloads, plain);

  auto sealed = payloads->seal_entries(plain);
  FUZZ_CHECK(sealed.has_value(), "seal_entries: " + sealed.error().describe());
  for (std::size_t i = 0; i < plain.size(); ++i) {
    auto stored = codec::decode_entry(codec::encode_entry((*sealed)[i]));
    FUZZ_CHECK(stored.has_value(), "a sealed entry does not decode");
    auto opened = payloads->open_entry(*stored);
    FUZZ_CHECK(opened && *opened == plain[i], "seal_entries does not round-trip");
  }

  auto sealed_snap = payloads->seal_snapshot(snap);
  FUZZ_CHECK(sealed_snap.has_value(), "seal_snapshot: " + sealed_snap.error().describe());
  auto stored_snap = decode_snap_file(encode_snap_file(*sealed_snap), "sealed.snap");
  FUZZ_CHECK(stored_snap.has_value(), "a sealed snapshot file does not decode");
  auto opened_snap = payloads->open_snapshot(*stored_snap);
  FUZZ_CHECK(opened_snap && *opened_snap == snap, "a sealed snapshot does not round-trip");

  // The first sealed entry's record at another place.
  entry moved = (*sealed)[0];
  moved.term = elsewhere.term;
  moved.index = elsewhere.index;
  moved.type = elsewhere.type;
  const bool same_place = moved.term == plain[0].term && moved.index == plain[0].index &&
                          moved.type == plain[0].type;
  auto moved_open = payloads->open_entry(moved);
  if (cipher == codec::cipher::secretbox || same_place) {
    FUZZ_CHECK(moved_open && moved_open->data == plain[0].data, "record does not open at " +
                                                                    to_string(place_of(moved)));
  } else {
    FUZZ_CHECK(!moved_open && moved_open.error().code() == errc::wrong_key,
               "an XChaCha20-Poly1305 record opened at another place");
  }

  // One bit flipped anywhere in the record.
  entry flipped = (*sealed)[0];
  flipped.data[flip_at % flipped.data.size()] ^= static_cast<char>(1 << flip_bit);
  auto flipped_open = payloads->open_entry(flipped);
  if (flipped_open) {
    FUZZ_CHECK(flipped_open->data == plain[0].data, "a flipped bit opened to another plaintext");
  } else {
    FUZZ_CHECK(documented(flipped_open.error().code()),
               "a flipped bit fails as " + flipped_open.error().describe());
  }
  return 0;
}
