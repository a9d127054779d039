// Writes the seed corpora of fuzz/corpus/ (fuzz/README.md): small real inputs made with the
// project's own encoders under the fuzz targets' test keys, prefixes of the etcd 3.4 golden
// vectors, and fixed pseudo-random bytes for the targets that read their input as choices.
//   raftvault-fuzz-seeds OUT_DIR [VECTORS_DIR]
// Sealed seeds use fresh random nonces, so regenerating changes their bytes, not their shape.
#include <sys/stat.h>

#include <cctype>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "codec/cipher.h"
#include "codec/raft_codec.h"
#include "fuzz/fuzz_support.h"
#include "keys/key_file.h"
#include "keys/tls_key.h"
#include "raftlog/payload_codec.h"
#include "raftlog/snap_file.h"
#include "raftlog/wal_decoder.h"
#include "raftlog/wal_encoder.h"
#include "support/test_support.h"

using namespace raftvault;
using namespace raftvault::raftlog;
namespace fz = raftvault::fuzz;

namespace {

std::string out_dir;

void seed(const std::string& target, const std::string& name, const std::string& bytes) {
  ::mkdir((out_dir + "/" + target).c_str(), 0755);
  testing::write_bytes(out_dir + "/" + target + "/" + name, bytes);
}

template <class T>
T value_of(result<T> made, const char* what) {
  FUZZ_CHECK(made.has_value(), std::string(what) + ": " + made.error().describe());
  return std::move(made).value();
}

// Deterministic filler for the targets that read their input as a sequence of choices.
std::string pseudo_random(std::size_t size, std::uint64_t seed_value) {
  std::string out(size, '\0');
  for (auto& c : out) {
    seed_value ^= seed_value << 13;
    seed_value ^= seed_value >> 7;
    seed_value ^= seed_value << 17;
    c = static_cast<char>(seed_value);
  }
  return out;
}

// The first `frames` frames of a golden segment: real etcd bytes, small enough to fuzz.
std::string golden_prefix(const std::string& path, std::size_t frames) {
  wal_decoder decoder({path});
  decoded_record rec;
  for (std::size_t i = 0; i < frames && decoder.next(rec) == decode_status::record; ++i) {
  }
  return testing::read_bytes(path).substr(0, decoder.last_valid_offset());
}

void wal_seeds(const std::string& vectors) {
  wal_encoder encoder;
  encoder.add_crc();
  encoder.add_metadata("fuzz-metadata");
  encoder.add_snapshot({0, 0});
  encoder.add_state({1, 1, 1});
  for (std::uint64_t i = 1; i <= 3; ++i)
    encoder.add_entry({1, i, entry_type::normal, "entry-" + std::to_string(i)});
  encoder.add_snapshot({2, 1});
  const std::string segment(encoder.bytes());
  seed("fuzz_wal_frames", "encoder-segment", segment + std::string(64, '\0'));
  seed("fuzz_wal_frames", "torn-mid-frame", segment.substr(0, segment.size() - 5));
  std::string zero_sector = segment + std::string(1024, '\0');
  encoder.clear();
  encoder.add_entry({1, 4, entry_type::normal, std::string(1500, 'z')});
  zero_sector += std::string(encoder.bytes());
  zero_sector.replace(segment.size() + 1024 + 520, 512, std::string(512, '\0'));
  seed("fuzz_wal_frames", "zeroed-sector-in-last-frame", zero_sector);
  if (vectors.empty()) return;
  const std::string etcd = vectors + "/etcd-3.4/";
  seed("fuzz_wal_frames", "etcd-plain-wal-prefix",
       golden_prefix(etcd + "plain-wal/0000000000000000-0000000000000000.wal", 8));
  seed("fuzz_wal_frames", "etcd-secretbox-wal-prefix",
       golden_prefix(etcd + "secretbox-wal/0000000000000000-0000000000000000.wal", 6));
}

void snapshot_seeds(const std::string& vectors) {
  auto codec = value_of(payload_codec::make(codec::cipher::xchacha20poly1305, fz::test_dek(2),
                                            {fz::test_dek(1), fz::test_dek(2)}),
                        "payload codec");
  snapshot plain{"state machine bytes", {{{1, 2, 3}, {4}, {}, {}, false}, 20, 2}};
  seed("fuzz_snapshot", "plain-20-2", encode_snap_file(plain));
  seed("fuzz_snapshot", "xchacha-dek2-20-2",
       encode_snap_file(value_of(codec->seal_snapshot(plain), "seal snapshot")));
  if (vectors.empty()) return;
  const std::string etcd = vectors + "/etcd-3.4/";
  seed("fuzz_snapshot", "etcd-plain-snap",
       testing::read_bytes(etcd + "plain-snap/0000000000000002-0000000000000014.snap"));
  seed("fuzz_snapshot", "etcd-secretbox-snap",
       testing::read_bytes(etcd + "secretbox-snap/0000000000000002-0000000000000014.snap"));
}

void record_seeds() {
  using namespace raftvault::codec;
  const auto dek1 = fz::test_dek(1).ref;
  const auto dek2 = fz::test_dek(2).ref;
  const std::string text = "payload of entry 1";
  seed("fuzz_encrypted_record", "xchacha-dek1-entry-1-1",
       value_of(seal(cipher::xchacha20poly1305, dek1, text, entry_place(1, 1, 0)), "seal"));
  seed("fuzz_encrypted_record", "xchacha-dek2-snapshot-20-2",
       value_of(seal(cipher::xchacha20poly1305, dek2, text, snapshot_place(20, 2)), "seal"));
  seed("fuzz_encrypted_record", "secretbox-dek1",
       value_of(seal(cipher::secretbox, dek1, text, entry_place(1, 1, 0)), "seal"));
  seed("fuzz_encrypted_record", "none-key-id-7", encode_plain_record(text, 7));
  seed("fuzz_encrypted_record", "with-ad-dek1",
       value_of(seal_with_ad(dek1, std::string(32, 'k'),
                             "raftvault/v1 key-file raft-dek generation 1"),
                "seal_with_ad"));
}

void key_file_seeds() {
  const keys::unlock_key& kek = fz::test_unlock_key();
  keys::key_file_contents contents;
  contents.kek_version = 3;
  contents.current = value_of(keys::generate_dek(1), "dek");
  contents.tls_key = value_of(keys::generate_tls_key(), "tls key");
  const std::string unlocked = value_of(keys::encode_key_file(contents, nullptr), "encode");
  seed("fuzz_key_file", "unlocked", unlocked);
  // As written before the digest header existed (still read): damage reaches the parser.
  const auto digest_at = unlocked.find(std::string(keys::kHeaderDigest) + ": ");
  FUZZ_CHECK(digest_at != std::string::npos, "no digest line");
  std::string undigested = unlocked;
  undigested.erase(digest_at, unlocked.find('\n', digest_at) + 1 - digest_at);
  seed("fuzz_key_file", "unlocked-without-digest", undigested);
  seed("fuzz_key_file", "locked", value_of(keys::encode_key_file(contents, &kek), "encode"));
  contents.pending = value_of(keys::generate_dek(2), "dek");
  contents.needs_rotation = true;
  seed("fuzz_key_file", "unlocked-pending",
       value_of(keys::encode_key_file(contents, nullptr), "encode"));
  seed("fuzz_key_file", "locked-pending", value_of(keys::encode_key_file(contents, &kek), "encode"));

  const std::string text(value_of(kek.text(), "unlock key text").view());
  seed("fuzz_unlock_key", "test-key", text);
  std::string lower = text;
  for (std::size_t i = 7; i < lower.size(); ++i)
    lower[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(lower[i])));
  seed("fuzz_unlock_key", "lower-case-with-newline", "  " + lower + "\n");
  std::string typo = text;
  typo[20] = typo[20] == 'A' ? 'B' : 'A';
  seed("fuzz_unlock_key", "typo", typo);
}

void ini_seeds() {
  seed("fuzz_ini_config", "minimal", "[raftvault]\ndata-dir=\"/srv/raft\"\n");
  seed("fuzz_ini_config", "every-option",
       "[raftvault]\ndata-dir=\"/srv/raft/node-1\"\ncipher=\"secretbox\"\nsegment-size=1048576\n"
       "max-inflight-bytes=8388608\ncrypto-workers=4\ncrypto-inline-bytes=4096\n"
       "snapshot-keep=5\nunlock-key-file=\"/etc/raftvault/unlock\"\ncreate-if-missing=true\n"
       "autolock=true\nmetadata=\"node-1\"\nrotation-retry-ms=250\nsegment-delete-rate=0\n"
       "group-commit-bytes=262144\nwal-direct-io=false\nbackground-nice=5\n"
       "rotation-step-pause-us=0\ngroup-commit-mode=\"halves\"\ngroup-commit-linger-us=100\n");
  seed("fuzz_ini_config", "wrong-types-and-scheduler",
       "[scheduler]\nmax-threads=2\n[raftvault]\ndata-dir=\"/x\"\ncrypto-workers=\"four\"\n"
       "autolock=1\nsegment-size=-1\n");
}

void choice_seeds() {
  for (const char* target : {"fuzz_wal_records", "fuzz_sealed_payload", "fuzz_key_file_sealed"}) {
    std::uint64_t n = 1;
    for (std::size_t size : {64, 512, 3000, 9000}) {
      seed(target, "choices-" + std::to_string(size), pseudo_random(size, 0x9e3779b97f4a7c15u * n++));
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    std::fprintf(stderr, "usage: %s OUT_DIR [VECTORS_DIR]\n", argv[0]);
    return 2;
  }
  out_dir = argv[1];
  const std::string vectors = argc == 3 ? argv[2] : "";
  ::mkdir(out_dir.c_str(), 0755);
  wal_seeds(vectors);
  snapshot_seeds(vectors);
  record_seeds();
  key_file_seeds();
  ini_seeds();
  choice_seeds();
  return 0;
}
