// .snap file bytes as found on disk: snappb.Snapshot parsing and its CRC (raftlog/snap_file),
// the raftpb.Snapshot inside (codec::decode_snapshot), loading through the snapshotter (which
// also checks the name), and opening the payload with the test DEKs (secretbox and
// XChaCha20-Poly1305 codecs, as an encrypted store reads it).
// Properties: whatever decodes re-encodes to a file that decodes to the same snapshot; load_file
// accepts exactly what decodes and matches its name; a name parses only in etcd's exact form.
#include <cstddef>
#include <cstdint>
#include <string>

#include "codec/raft_codec.h"
#include "fuzz/fuzz_support.h"
#include "raftlog/payload_codec.h"
#include "raftlog/snap_file.h"
#include "raftlog/snapshotter.h"
#include "support/test_support.h"

using namespace raftvault;
using namespace raftvault::raftlog;

namespace {

// The golden vectors' snapshot is index 20, term 2.
const snapshot_marker kNamed{20, 2};

std::shared_ptr<const payload_codec> opening_codec(codec::cipher cipher) {
  auto made = payload_codec::make(cipher, std::nullopt, {fuzz::test_dek(1), fuzz::test_dek(2)});
  FUZZ_CHECK(made.has_value(), "payload codec: " + made.error().describe());
  return made.value();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string dir = fuzz::scratch_dir();
  static const std::string name = snap_file_name(kNamed);
  static const auto xchacha = opening_codec(codec::cipher::xchacha20poly1305);
  static const auto secretbox = opening_codec(codec::cipher::secretbox);
  const std::string input(reinterpret_cast<const char*>(data), size);

  auto decoded = decode_snap_file(input, "fuzz.snap");
  if (decoded) {
    auto again = decode_snap_file(encode_snap_file(*decoded), "fuzz.snap");
    FUZZ_CHECK(again && *again == *decoded, "a decoded snapshot does not survive re-encoding");
    (void)xchacha->open_snapshot(*decoded);
    if (auto opened = secretbox->open_snapshot(*decoded)) {
      FUZZ_CHECK(opened->metadata == decoded->metadata, "opening changed the metadata");
    }
  } else {
    FUZZ_CHECK(decoded.error().code() == errc::corruption,
               "snap file refused as " + decoded.error().describe());
  }

  if (auto message = codec::decode_snapshot(input)) {
    auto again = codec::decode_snapshot(codec::encode_snapshot(*message));
    FUZZ_CHECK(again && *again == *message, "a raftpb.Snapshot does not survive re-encoding");
  }

  testing::write_bytes(dir + "/" + name, input);
  auto loaded = snapshotter(dir).load_file(name);
  const bool should_load = decoded && decoded->marker() == kNamed;
  FUZZ_CHECK(loaded.has_value() == should_load,
             std::string("load_file ") + (loaded ? "accepted" : "refused") + " a file that " +
                 (decoded ? "decodes" : "does not decode"));
  if (loaded) FUZZ_CHECK(*loaded == *decoded, "load_file and decode_snap_file disagree");

  if (auto marker = parse_snap_file_name(input)) {
    FUZZ_CHECK(snap_file_name(*marker) == input, "a snap name parses in a non-canonical form");
  }
  return 0;
}
