// tail_writer::write(tail, encoder, offset): with O_DIRECT the records go out straight from
// the encoder's buffer when it carries the tail's partial block, and the file holds exactly
// what the copying path writes; an encoder carrying anything else is written by copying.
#include <catch2/catch.hpp>

#include <fcntl.h>

#include "raftlog/tail_writer.h"
#include "raftlog/wal_encoder.h"
#include "wal_test_support.h"

using namespace raftvault;
using namespace raftvault::testing;

namespace {

constexpr std::uint64_t kFileBytes = 1 << 20;

// A preallocated file of zeros, as a WAL segment is.
fileio::file zeroed_file(const std::string& path) {
  auto file = fileio::file::open(path, O_RDWR | O_CREAT | O_EXCL);
  REQUIRE(file);
  REQUIRE(file->preallocate(0, kFileBytes));
  return std::move(file).value();
}

// Frames entries 1..count (sizes walking through every offset in a block) one save at a time
// and writes each save through `writer`; `in_place` hands the encoder the writer's partial
// block after every write, as the WAL does.
void write_saves(const std::string& path, bool in_place, raftlog::tail_writer& writer) {
  auto file = zeroed_file(path);
  REQUIRE(writer.attach(file, 0));
  raftlog::wal_encoder encoder;
  std::uint64_t end = 0;
  for (std::uint64_t i = 1; i <= 40; ++i) {
    const std::size_t size = (i * 1237) % 5003;
    encoder.add_entry(entry{1, i, entry_type::normal, std::string(size, char('a' + i % 26))});
    if (i % 3 == 0) encoder.add_state({1, 1, i});
    if (in_place) {
      REQUIRE(writer.write(file, encoder, end));
    } else {
      REQUIRE(writer.write(file, encoder.bytes(), end));
    }
    end += encoder.size();
    encoder.clear(in_place ? writer.carried() : std::string_view());
  }
}

}  // namespace

TEST_CASE("records written from the encoder's buffer leave the same file as copied ones",
          "[wal][direct]") {
  temp_dir tmp;
  raftlog::tail_writer copying(true);
  write_saves(tmp / "copied", false, copying);
  raftlog::tail_writer in_place(true);
  write_saves(tmp / "in-place", true, in_place);
  if (!in_place.direct()) {
    WARN("no O_DIRECT on " << tmp.path() << ": nothing to check");
    return;
  }
  CHECK(copying.in_place_writes() == 0);
  CHECK(in_place.in_place_writes() == 40);  // every write, none copied
  const auto copied = read_bytes(tmp / "copied");
  CHECK(copied.size() == kFileBytes);
  CHECK(read_bytes(tmp / "in-place") == copied);
}

TEST_CASE("an encoder carrying other bytes than the partial block is written by copying",
          "[wal][direct]") {
  temp_dir tmp;
  auto file = zeroed_file(tmp / "seg");
  raftlog::tail_writer writer(true);
  REQUIRE(writer.attach(file, 0));
  if (!writer.direct()) {
    WARN("no O_DIRECT on " << tmp.path() << ": nothing to check");
    return;
  }
  raftlog::wal_encoder encoder;
  encoder.add_entry(entry{1, 1, entry_type::normal, std::string(100, 'x')});
  REQUIRE(writer.write(file, encoder, 0));
  const std::uint64_t end = encoder.size();
  REQUIRE(writer.carried().size() == end);  // the partial block: the whole first record
  // Wrong content of the right length, then the right content of the wrong length.
  const std::string wrong(writer.carried().size(), '?');
  for (const std::string& carried : {wrong, std::string(writer.carried().substr(1))}) {
    raftlog::wal_encoder other;
    other.clear(carried);
    other.add_entry(entry{1, 2, entry_type::normal, std::string(100, 'y')});
    const auto before = writer.in_place_writes();
    REQUIRE(writer.write(file, other, end));
    CHECK(writer.in_place_writes() == before);
    // Rewind the writer to the first record's end for the next round.
    REQUIRE(writer.attach(file, end));
  }
  const auto bytes = read_bytes(tmp / "seg");
  CHECK(bytes.substr(0, end).find('?') == std::string::npos);
  CHECK(bytes.find(std::string(100, 'y')) != std::string::npos);
}
