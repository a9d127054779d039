// The log reader on real segment files: a read whose segment was released after its locations
// were taken (a release winning the race with a catch-up read) is compacted, never garbage.
#include <catch2/catch.hpp>

#include <caf/scoped_actor.hpp>

#include <cstdio>

#include "actors/log_reader.h"
#include "raftlog/segment_name.h"
#include "raftlog/wal_test_support.h"

using namespace raftvault;
using namespace raftvault::actors;
using namespace raftvault::testing;

TEST_CASE("a read of a segment released meanwhile is compacted, naming the indexes",
          "[actors][reads]") {
  temp_dir tmp;
  const std::string dir = tmp / "wal";
  auto log = wal_with_small_segments(dir);
  const auto located = locate_entries(*log, 1, 4);
  const auto codec = raftlog::payload_codec::plaintext();

  caf::actor_system_config config;
  caf::actor_system system{config};
  caf::scoped_actor self{system};
  auto reader = system.spawn(log_reader, dir);
  auto read = [&](const raftlog::located_entries& where) {
    std::optional<raftvault::error> failed;
    std::vector<entry> out;
    self->request(reader, caf::infinite, read_atom::value, where, codec)
        .receive([&](std::vector<entry>& got) { out = std::move(got); },
                 [&](caf::error& err) { failed = from_caf(err); });
    return std::make_pair(out, failed);
  };

  auto before = read(located);
  REQUIRE_FALSE(before.second);
  CHECK(before.first == make_entries(1, 3, 1, 1000));

  const auto& segment = located.segments.front();
  REQUIRE(std::remove((dir + "/" + raftlog::format_segment_name(segment.sequence, segment.first_index)).c_str()) == 0);
  auto after = read(located);
  REQUIRE(after.second);
  CHECK(after.second->code() == errc::compacted);
  CHECK_THAT(after.second->message(), Catch::Contains("entries 1..3 were released"));
  self->send_exit(reader, caf::exit_reason::user_shutdown);
}
