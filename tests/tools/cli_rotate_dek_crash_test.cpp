// rotate-dek killed at each of its crash points (the child arms it through RAFTVAULT_CRASH_AT,
// fileio/crash_point.h): the store still opens — through the CLI and through the pipeline a
// service uses — with the same log, and a rerun finishes the rotation.
#include "actors/pipeline.h"
#include "cli_fixtures.h"
#include "fileio/crash_point.h"

using namespace raftvault;
using namespace raftvault::testing;

TEST_CASE("rotate-dek interrupted at every crash point leaves a store that opens", "[cli][crash]") {
  vector_copy source;
  const std::string pristine = source.dir / "pristine";
  REQUIRE(run_raftvault({"import", "--segment-size", "262144", "--wal-dir", source.wal, "--snap-dir", source.snap, "--data-dir", pristine})
              .exit_code == 0);
  const auto expected = run_raftvault({"dump", "--data-dir", pristine, "--json"});
  REQUIRE(expected.exit_code == 0);

  const std::string point = GENERATE(std::string("rotate_dek.prepared"), std::string("rotate_dek.copy_written"),
                                     std::string("migration.temp_written"), std::string("migration.wal_renamed"),
                                     std::string("rotate_dek.snap_swapped"), std::string("rotate_dek.wal_swapped"),
                                     std::string("rotate_dek.completed"), std::string("rotate_dek.cleaned"));
  INFO("crash at " << point);
  const std::string store = source.dir / ("store-" + point);
  std::filesystem::copy(pristine, store, std::filesystem::copy_options::recursive);

  auto crashed = run_raftvault({"rotate-dek", "--data-dir", store}, {{"RAFTVAULT_CRASH_AT", point}});
  REQUIRE(crashed.exit_code == fileio::kCrashExitCode);

  // The restart path a service takes reads the same log.
  {
    actors::pipeline_options options;
    options.data_dir = store;
    auto opened = actors::open_store(options);
    INFO((opened ? std::string() : opened.error().describe()));
    REQUIRE(opened);
    REQUIRE(opened->recovered.snap);
    CHECK(opened->recovered.snap->metadata.index == 20);
    CHECK(opened->recovered.entries.size() == 104);
    CHECK(opened->recovered.entries.back().index == 124);
  }
  auto dump = run_raftvault({"dump", "--data-dir", store, "--json"});
  INFO(dump.err);
  REQUIRE(dump.exit_code == 0);
  CHECK(dump.out == expected.out);

  auto rerun = run_raftvault({"rotate-dek", "--data-dir", store});
  INFO(rerun.err);
  REQUIRE(rerun.exit_code == 0);
  dump = run_raftvault({"dump", "--data-dir", store, "--json"});
  CHECK(dump.out == expected.out);
  auto verified = run_raftvault({"verify", "--data-dir", store});
  CHECK(verified.exit_code == 0);
  CHECK_FALSE(std::filesystem::exists(store + "/.rotate-dek"));
}
