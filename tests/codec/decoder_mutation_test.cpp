// Decoders of bytes read from disk, fed damaged encodings. Valid inputs come from the codec's own
// encoders; a fixed-seed generator damages them (every truncation, every single bit flip, then
// random stacks of flips, insertions, deletions, huge and overlong varints and lengths that
// point past the end). Each decoder must either fail with errc::corruption (or, for records
// that are opened, one of the typed key errors) or return a value that is really in the bytes:
// the protobuf library reads the same value from them, and the value re-encodes and decodes to
// itself. Run under ASan this also proves no decoder reads outside its input.
#include <sys/mman.h>

#include <catch2/catch.hpp>
#include <climits>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "codec/cipher.h"
#include "codec/cipher_testing.h"
#include "codec/proto/encryption.pb.h"
#include "codec/proto/raftpb.pb.h"
#include "codec/proto/walpb.pb.h"
#include "codec/raft_codec.h"
#include "codec/wal_record.h"
#include "codec/wire_reader.h"

using namespace raftvault;
using namespace raftvault::codec;

namespace {

std::string hex(std::string_view bytes) {
  static const char digits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

// std::mt19937_64's output is fixed by the standard; the distributions are not, so draw by hand.
class damage {
 public:
  explicit damage(std::uint64_t seed) : rng_(seed) {}
  std::uint64_t below(std::uint64_t n) { return n == 0 ? 0 : rng_() % n; }

  // A varint that decodes past what the field can hold, or never ends.
  std::string hostile_varint() {
    switch (below(6)) {
      case 0: return std::string(9, '\xff') + '\x01';         // 2^64 - 1, canonical
      case 1: return std::string(9, '\xff') + '\x7f';         // 10 bytes, overflows 64 bits
      case 2: return std::string(10, '\xff') + '\x01';        // 11 bytes
      case 3: return std::string(9, '\x80') + '\x02';         // only overflow bits set
      case 4: return std::string(1 + below(12), '\x80');      // never terminated
      default: return "\xff\xff\xff\xff\x0f";                 // 2^32 - 1 as a length
    }
  }

  std::string mutate(std::string bytes) {
    const std::size_t at = below(bytes.size() + 1);
    switch (below(8)) {
      case 0:
        if (!bytes.empty()) bytes[below(bytes.size())] ^= static_cast<char>(1u << below(8));
        break;
      case 1: bytes.resize(at); break;
      case 2: bytes.insert(at, 1, static_cast<char>(below(256))); break;
      case 3:
        if (at < bytes.size()) bytes.erase(at, 1 + below(bytes.size() - at));
        break;
      case 4: bytes.insert(at, hostile_varint()); break;
      case 5:  // a length-delimited field (or a field of any type) whose length runs far past
        bytes.insert(at, static_cast<char>((1 + below(6)) << 3 | 2) + hostile_varint());
        break;
      case 6:  // a known or unknown field of a random wire type
        bytes.insert(at, std::string(1, static_cast<char>(below(256))) + hostile_varint());
        break;
      default:
        if (!bytes.empty()) bytes[below(bytes.size())] = static_cast<char>(below(256));
        break;
    }
    return bytes;
  }

 private:
  std::mt19937_64 rng_;
};

// Calls `check` on each damaged form of `valid`: every prefix, every single bit flip, and
// `rounds` random stacks of one to four mutations.
template <class Check>
void for_each_damaged(const std::string& valid, std::uint64_t seed, int rounds, Check check) {
  for (std::size_t n = 0; n < valid.size(); ++n) check(valid.substr(0, n));
  for (std::size_t bit = 0; bit < valid.size() * 8; ++bit) {
    std::string flipped = valid;
    flipped[bit / 8] ^= static_cast<char>(1u << (bit % 8));
    check(flipped);
  }
  damage d(seed);
  for (int i = 0; i < rounds; ++i) {
    std::string bytes = valid;
    const auto stacked = 1 + d.below(4);
    for (std::uint64_t k = 0; k < stacked; ++k) bytes = d.mutate(bytes);
    check(bytes);
  }
}

// protobuf (3.21) reads a length as at most five varint bytes below 2 GiB and refuses longer,
// overlong encodings ("80 80 80 80 80 00" for 0) that etcd's gogoproto and our decoders take:
// a deliberate difference, since such a length is still bounded by the bytes that follow it.
// True if a top-level length in well-formed `bytes` is written in more than five bytes.
bool has_overlong_length(std::string_view bytes) {
  std::size_t pos = 0;
  auto varint = [&](std::size_t& length) {
    const std::size_t start = pos;
    while (pos < bytes.size() && (static_cast<unsigned char>(bytes[pos]) & 0x80)) ++pos;
    ++pos;
    length = pos - start;
  };
  while (pos < bytes.size()) {
    std::size_t n = 0;
    varint(n);
    if (pos > bytes.size()) return false;
    const auto wire_type = static_cast<unsigned char>(bytes[pos - n]) & 7;
    if (wire_type == 0) {
      varint(n);
    } else if (wire_type == 1) {
      pos += 8;
    } else if (wire_type == 5) {
      pos += 4;
    } else if (wire_type == 2) {
      const std::size_t start = pos;
      varint(n);
      // Past ten bytes, or a tenth byte beyond bit 63, is an overflow, which nothing excuses.
      if (n > 10 || (n == 10 && static_cast<unsigned char>(bytes[pos - 1]) > 1)) return false;
      if (n > 5) return true;
      std::uint64_t length = 0;
      for (std::size_t i = 0; i < n && start + i < bytes.size(); ++i)
        length |= static_cast<std::uint64_t>(bytes[start + i] & 0x7f) << (7 * i);
      pos += static_cast<std::size_t>(length);
    } else {
      return false;
    }
  }
  return false;
}

// Decoders return copies on the heap: a string_view into `input` must stay inside it.
bool inside(std::string_view part, std::string_view input) {
  return part.empty() ||
         (part.data() >= input.data() && part.data() + part.size() <= input.data() + input.size());
}

void check_entry(const std::string& bytes) {
  auto decoded = decode_entry(bytes);
  if (!decoded) {
    if (decoded.error().code() != errc::corruption) FAIL_CHECK("non-corruption error " << hex(bytes));
    return;
  }
  raftpb::Entry library;
  const entry& e = *decoded;
  if (!library.ParseFromString(bytes) && has_overlong_length(bytes)) return;
  if (!library.ParseFromString(bytes) || library.term() != e.term || library.index() != e.index ||
      static_cast<std::uint32_t>(library.type()) != static_cast<std::uint32_t>(e.type) ||
      library.data() != e.data) {
    FAIL_CHECK("decode_entry accepted bytes protobuf reads differently: " << hex(bytes));
  }
  auto again = decode_entry(encode_entry(e));
  if (!again || !(*again == e)) FAIL_CHECK("entry does not round-trip: " << hex(bytes));
}

void check_hard_state(const std::string& bytes) {
  auto decoded = decode_hard_state(bytes);
  if (!decoded) {
    if (decoded.error().code() != errc::corruption) FAIL_CHECK("non-corruption error " << hex(bytes));
    return;
  }
  raftpb::HardState library;
  if (!library.ParseFromString(bytes) && has_overlong_length(bytes)) return;
  if (!library.ParseFromString(bytes) || library.term() != decoded->term ||
      library.vote() != decoded->vote || library.commit() != decoded->commit) {
    FAIL_CHECK("decode_hard_state accepted bytes protobuf reads differently: " << hex(bytes));
  }
  auto again = decode_hard_state(encode_hard_state(*decoded));
  if (!again || !(*again == *decoded)) FAIL_CHECK("hard state does not round-trip: " << hex(bytes));
}

void check_snapshot_marker(const std::string& bytes) {
  auto decoded = decode_snapshot_marker(bytes);
  if (!decoded) {
    if (decoded.error().code() != errc::corruption) FAIL_CHECK("non-corruption error " << hex(bytes));
    return;
  }
  walpb::Snapshot library;
  if (!library.ParseFromString(bytes) && has_overlong_length(bytes)) return;
  if (!library.ParseFromString(bytes) || library.index() != decoded->index ||
      library.term() != decoded->term) {
    FAIL_CHECK("decode_snapshot_marker accepted bytes protobuf reads differently: " << hex(bytes));
  }
  auto again = decode_snapshot_marker(encode_snapshot_marker(*decoded));
  if (!again || !(*again == *decoded)) FAIL_CHECK("marker does not round-trip: " << hex(bytes));
}

void check_snapshot(const std::string& bytes) {
  auto decoded = decode_snapshot(bytes);
  if (!decoded) {
    if (decoded.error().code() != errc::corruption) FAIL_CHECK("non-corruption error " << hex(bytes));
    return;
  }
  auto again = decode_snapshot(encode_snapshot(*decoded));
  if (!again || !(*again == *decoded)) FAIL_CHECK("snapshot does not round-trip: " << hex(bytes));
}

// `bytes` is a frame: a length word and a record. Decodes the record the word describes, as the
// WAL decoder does after checking the frame fits.
void check_frame(const std::string& bytes) {
  if (bytes.size() < kLengthWordBytes) return;
  std::uint64_t word = 0;
  for (std::size_t i = 0; i < kLengthWordBytes; ++i)
    word |= static_cast<std::uint64_t>(static_cast<unsigned char>(bytes[i])) << (8 * i);
  const auto size = decode_length_word(word);
  if (size.padding > 7 || size.record_bytes >= (std::uint64_t{1} << 56) ||
      size.total() != kLengthWordBytes + size.record_bytes + size.padding) {
    FAIL_CHECK("length word " << word << " decodes out of range");
  }
  if (size.record_bytes + size.padding > bytes.size() - kLengthWordBytes) return;
  const std::string_view record(bytes.data() + kLengthWordBytes,
                                static_cast<std::size_t>(size.record_bytes));
  auto decoded = decode_record(record);
  if (!decoded) {
    if (decoded.error().code() != errc::corruption) FAIL_CHECK("non-corruption error " << hex(bytes));
    return;
  }
  if (!inside(decoded->data, record)) FAIL_CHECK("record data outside its input: " << hex(bytes));
  walpb::Record library;
  if (!library.ParseFromArray(record.data(), static_cast<int>(record.size())) &&
      has_overlong_length(record)) {
    return;
  }
  if (!library.ParseFromArray(record.data(), static_cast<int>(record.size())) ||
      library.type() != decoded->type || library.crc() != decoded->crc ||
      library.has_data() != decoded->has_data || library.data() != decoded->data) {
    FAIL_CHECK("decode_record accepted bytes protobuf reads differently: " << hex(bytes));
  }
}

// A sealed or plain MaybeEncryptedRecord: the header must match the library's reading, and
// opening must yield the original plaintext or fail with a typed error.
void check_sealed(const std::string& bytes, const std::vector<key_ref>& keys,
                  const std::string& plaintext, const record_place& place) {
  auto header = inspect_record(bytes);
  if (header) {
    raftvault::encryption::MaybeEncryptedRecord library;
    if (!library.ParseFromString(bytes) && has_overlong_length(bytes)) {
      // protobuf's own limit on how a length is written, see has_overlong_length
    } else if (!library.ParseFromString(bytes) ||
        static_cast<std::uint32_t>(library.algorithm()) != header->algorithm ||
        library.key_id() != header->key_id || library.data().size() != header->data_size ||
        library.nonce().size() != header->nonce_size) {
      FAIL_CHECK("inspect_record accepted bytes protobuf reads differently: " << hex(bytes));
    }
  } else if (header.error().code() != errc::corruption) {
    FAIL_CHECK("inspect_record: non-corruption error " << hex(bytes));
  }
  auto opened = open(keys, bytes, place, none_records::refuse);
  if (opened) {
    if (!header) FAIL_CHECK("opened a record inspect_record refuses: " << hex(bytes));
    if (*opened != plaintext) FAIL_CHECK("opened damaged record to other bytes: " << hex(bytes));
  }
  auto plain = decode_plain_record(bytes);
  if (plain) {
    auto again = decode_plain_record(encode_plain_record(plain->data, plain->key_id));
    if (!again || again->data != plain->data || again->key_id != plain->key_id)
      FAIL_CHECK("plain record does not round-trip: " << hex(bytes));
  } else if (plain.error().code() != errc::corruption) {
    FAIL_CHECK("decode_plain_record: non-corruption error " << hex(bytes));
  }
}

snapshot sample_snapshot() {
  snapshot s;
  s.data = std::string("state machine bytes \x00\x01\xff", 23);
  s.metadata.index = 300;
  s.metadata.term = ~0ull;
  s.metadata.conf.voters = {1, 2, 300};
  s.metadata.conf.learners = {4};
  s.metadata.conf.voters_outgoing = {1u << 30};
  s.metadata.conf.learners_next = {~0ull};
  s.metadata.conf.auto_leave = true;
  return s;
}

constexpr int kRounds = 4000;

}  // namespace

TEST_CASE("damaged raftpb.Entry bytes fail or decode to what protobuf reads", "[codec][mutation]") {
  const std::vector<entry> valid = {
      {0, 0, entry_type::normal, ""},
      {3, 300, entry_type::conf_change, "\x08\x01\x10\x02"},
      {~0ull, ~0ull, entry_type::conf_change_v2, std::string(130, 'x')},
  };
  std::uint64_t seed = 1;
  for (const auto& e : valid) for_each_damaged(encode_entry(e), seed++, kRounds, check_entry);
}

TEST_CASE("damaged HardState and walpb.Snapshot bytes fail or decode to what protobuf reads",
          "[codec][mutation]") {
  for_each_damaged(encode_hard_state({7, 2, 5}), 11, kRounds, check_hard_state);
  for_each_damaged(encode_hard_state({~0ull, 1u << 31, 1u << 14}), 12, kRounds, check_hard_state);
  for_each_damaged(encode_snapshot_marker({20, 2}), 13, kRounds, check_snapshot_marker);
  for_each_damaged(encode_snapshot_marker({~0ull, 128}), 14, kRounds, check_snapshot_marker);
}

TEST_CASE("damaged raftpb.Snapshot bytes fail or decode to a value that round-trips",
          "[codec][mutation]") {
  for_each_damaged(encode_snapshot(sample_snapshot()), 21, kRounds, check_snapshot);
  for_each_damaged(encode_snapshot(snapshot{}), 22, kRounds, check_snapshot);
}

TEST_CASE("damaged WAL frames fail or decode to what protobuf reads", "[codec][mutation]") {
  std::string frames[4];
  append_frame(record_type::crc, 0xdeadbeef, {}, false, frames[0]);
  append_frame(record_type::entry, 0x12345678, encode_entry({3, 300, entry_type::normal, "abc"}),
               true, frames[1]);
  append_frame(record_type::state, 1, encode_hard_state({7, 2, 5}), true, frames[2]);
  append_frame(record_type::metadata, 0xffffffff, std::string(200, 'm'), true, frames[3]);
  std::uint64_t seed = 31;
  for (const auto& f : frames) for_each_damaged(f, seed++, kRounds, check_frame);
}

TEST_CASE("every length word decodes in range and valid ones round-trip", "[codec][mutation]") {
  damage d(41);
  for (int i = 0; i < 100000; ++i) {
    const std::uint64_t word = (d.below(2) ? d.below(1u << 20) : 0) | d.below(~0ull) << (d.below(64));
    const auto size = decode_length_word(word);
    CHECK(size.padding <= 7);
    CHECK(size.record_bytes < (std::uint64_t{1} << 56));
  }
  for (std::uint64_t n : std::vector<std::uint64_t>{0, 1, 7, 8, 9, kMaxRecordBytes, (1ull << 56) - 1}) {
    const auto size = decode_length_word(encode_length_word(n));
    CHECK(size.record_bytes == n);
    CHECK((n + size.padding) % kFrameAlignment == 0);
  }
}

TEST_CASE("damaged MaybeEncryptedRecords fail typed or open to the sealed plaintext",
          "[codec][mutation]") {
  // key_id and a length whose tenth varint byte carries bits past 64: refused, not truncated.
  const std::string overflow = std::string(9, '\x80') + '\x02';
  for (const auto& bytes : {"\x20" + overflow, "\x12" + overflow, "\x08" + overflow}) {
    INFO(hex(bytes));
    auto header = inspect_record(bytes);
    REQUIRE_FALSE(header);
    CHECK(header.error().code() == errc::corruption);
  }

  unsigned char key_bytes[kKeyBytes];
  for (std::size_t i = 0; i < kKeyBytes; ++i) key_bytes[i] = static_cast<unsigned char>(i * 7);
  const key_ref key{5, key_bytes};
  const std::vector<key_ref> keys = {key};
  unsigned char nonce[kNonceBytes];
  for (std::size_t i = 0; i < kNonceBytes; ++i) nonce[i] = static_cast<unsigned char>(0xa0 + i);
  const auto place = entry_place(42, 3, 0);
  const std::string plaintext = "\x08\x01 an entry's data";
  std::uint64_t seed = 51;
  for (auto c : {cipher::xchacha20poly1305, cipher::secretbox}) {
    auto sealed = testing::seal_with_nonce(c, key, plaintext, place, nonce);
    REQUIRE(sealed);
    for_each_damaged(*sealed, seed++, kRounds, [&](const std::string& bytes) {
      check_sealed(bytes, keys, plaintext, place);
    });
  }
  for_each_damaged(encode_plain_record(plaintext, 9), seed++, kRounds,
                   [&](const std::string& bytes) { check_sealed(bytes, keys, plaintext, place); });
}

TEST_CASE("varints: ten bytes at most, truncation refused, agreement with protobuf",
          "[codec][mutation]") {
  struct varint_case {
    std::string bytes;
    bool ok;
    std::uint64_t value;
  };
  const std::vector<varint_case> cases = {
      {std::string(1, '\0'), true, 0},
      {std::string("\x80\x00", 2), true, 0},  // overlong but terminated: protobuf accepts it
      {std::string(9, '\xff') + '\x01', true, ~0ull},
      {std::string(10, '\xff') + '\x01', false, 0},  // 11 bytes
      {std::string(10, '\x80'), false, 0},           // ten bytes, never terminated
      {std::string(9, '\x80') + '\x02', false, 0},   // tenth byte past bit 63: overflow
      {std::string(9, '\xff') + '\x7f', false, 0},
      {"\xff", false, 0},
      {"", false, 0},
  };
  for (const auto& c : cases) {
    INFO(hex(c.bytes));
    wire_reader reader(c.bytes);
    std::uint64_t value = 0;
    CHECK(reader.read_varint(value) == c.ok);
    if (c.ok) CHECK(value == c.value);
    // A length that claims more than is left never yields a view.
    const std::string with_tail = c.bytes + "ab";
    wire_reader lengths(with_tail);
    std::string_view view;
    if (lengths.read_length_delimited(view)) CHECK(inside(view, with_tail));
  }
}

// ParseFromArray takes an int: a larger buffer must be refused, not parsed as its size modulo
// 2^32. The 4 GiB and a few bytes are a reserved, never-written anonymous mapping that reads as zeros.
TEST_CASE("decode_snapshot refuses inputs larger than protobuf can parse", "[codec][mutation]") {
  const std::string valid = encode_snapshot(sample_snapshot());
  const std::size_t size = (std::size_t{1} << 32) + valid.size();
  void* map = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                   -1, 0);
  if (map == MAP_FAILED) {
    WARN("cannot reserve 4 GiB of address space; skipped");
    return;
  }
  std::copy(valid.begin(), valid.end(), static_cast<char*>(map));
  // A size wrapped to int would parse just the valid prefix; the zeros after it are no message.
  auto decoded = decode_snapshot(std::string_view(static_cast<const char*>(map), size));
  munmap(map, size);
  REQUIRE_FALSE(decoded);
  CHECK(decoded.error().code() == errc::corruption);
}
