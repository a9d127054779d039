#include "reliability/sweep_stores.h"

#include <algorithm>
#include <cstdlib>
#include <random>

#include "actors/pipeline.h"
#include "fileio/file.h"
#include "reliability/sweep_process.h"

namespace raftvault::reliability {
namespace {

constexpr double kBuildTimeoutSeconds = 120;
constexpr std::uint64_t kSegmentBytes = 64 << 10;  // the smallest segment size the CLI takes

struct store_spec {
  const char* name;
  const char* command;  // "import" / "init" for the CLI; nullptr for the actor pipeline
  codec::cipher cipher;
  bool locked;
};

const store_spec kSpecs[] = {
    {"cli-plain", "import", codec::cipher::none, false},
    {"cli-secretbox", "import", codec::cipher::secretbox, false},
    {"cli-xchacha", "import", codec::cipher::xchacha20poly1305, false},
    {"cli-xchacha-locked", "import", codec::cipher::xchacha20poly1305, true},
    {"cli-init", "init", codec::cipher::xchacha20poly1305, false},
    {"pipeline-xchacha-locked", nullptr, codec::cipher::xchacha20poly1305, true},
    {"pipeline-plain", nullptr, codec::cipher::none, false},
};

std::string vectors_dir() {
  if (const char* env = std::getenv("RAFTVAULT_VECTORS")) return env;
  return RAFTVAULT_VECTORS_DIR;
}

std::string trim(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

status adopt_unlock_key(sweep_store& store, const std::string& text, const std::string& scratch) {
  RV_ASSIGN(auto key, keys::unlock_key::parse(text));
  store.kek = std::make_shared<keys::unlock_key>(std::move(key));
  store.unlock_key_file = scratch + "/" + store.name + ".unlock-key";
  return fileio::write_file_atomic(store.unlock_key_file, text + "\n");
}

status build_with_cli(const campaign_options& options, const store_spec& spec, sweep_store& store) {
  std::vector<std::string> args{spec.command, "--data-dir", store.dir, "--cipher",
                                std::string(codec::to_string(spec.cipher)), "--segment-size",
                                std::to_string(kSegmentBytes)};
  if (std::string(spec.command) == "import") {
    args.insert(args.end(), {"--wal-dir", vectors_dir() + "/etcd-3.4/plain-wal", "--snap-dir",
                             vectors_dir() + "/etcd-3.4/plain-snap"});
  }
  if (spec.locked) args.push_back("--autolock");
  const auto run = run_process(options.bin_dir + "/raftvault", args, {}, kBuildTimeoutSeconds);
  if (run.exit_code != 0)
    return error(errc::io, "raftvault " + std::string(spec.command) + " " + store.dir + ": " +
                               describe_end(run) + ": " + trim(run.err));
  if (spec.locked) RV_TRY(adopt_unlock_key(store, trim(run.out), options.scratch_dir));
  return {};
}

snapshot state_machine_at(std::uint64_t index, std::uint64_t term) {
  snapshot s;
  s.data = "state machine after entry " + std::to_string(index) + ":" + std::string(3000, 's');
  s.metadata.index = index;
  s.metadata.term = term;
  s.metadata.conf.voters = {1, 2, 3};
  return s;
}

// Batches of 1..6 entries of 16..2000 bytes, each append committing what came before it (as
// a leader does); snapshots at entries 60 and 100, which release the older segments, and more
// batches after them, so several segments remain.
status build_with_pipeline(const campaign_options& options, const store_spec& spec,
                           sweep_store& store) {
  actors::pipeline_options po;
  po.data_dir = store.dir;
  po.cipher = spec.cipher;
  po.segment_size = kSegmentBytes;
  po.create_if_missing = true;
  po.autolock = spec.locked;
  po.metadata = "sweep pipeline store";
  RV_ASSIGN(auto pipeline, actors::blocking_storage::open(po));
  if (spec.locked) {
    RV_ASSIGN(auto text, pipeline->new_unlock_key()->text());
    RV_TRY(adopt_unlock_key(store, std::string(text.view()), options.scratch_dir));
  }
  RV_TRY(pipeline->recover());
  std::mt19937_64 random(options.seed);
  std::uint64_t next = 1;
  std::vector<std::pair<std::uint64_t, bool>> snapshots{{60, false}, {100, false}};  // index, taken
  while (next <= 300) {
    const std::uint64_t term = next <= 150 ? 1 : 2;
    std::vector<entry> batch;
    for (std::uint64_t n = 1 + random() % 6; n > 0; --n, ++next) {
      entry e;
      e.index = next;
      e.term = term;
      e.type = next % 97 == 0 ? entry_type::conf_change : entry_type::normal;
      e.data.resize(16 + random() % 1985);
      for (char& c : e.data) c = static_cast<char>('a' + random() % 26);
      batch.push_back(std::move(e));
    }
    const hard_state state{term, 1, batch.front().index - 1};
    RV_TRY(pipeline->append(state, std::move(batch)));
    for (auto& [at, taken] : snapshots) {
      if (taken || next <= at + 40) continue;
      RV_TRY(pipeline->save_snapshot(state_machine_at(at, 1)));
      taken = true;
    }
  }
  return pipeline->close();
}

status read_reference(const campaign_options& options, sweep_store& store) {
  auto keys = open_keys(store.dir, store.kek.get(), store.cipher);
  if (!keys) return keys.error().with_context("reference key file of " + store.name);
  store.keys = std::move(keys).value();
  const store_reading read = read_as_restart(store.dir, store.keys.codec);
  if (read.failure) return read.failure->with_context("reference read of " + store.name);
  if (!read.torn.empty()) return error(errc::corruption, store.name + " ends torn: " + read.torn);
  store.reference = read.content;
  const auto dump = run_process(options.bin_dir + "/raftvault",
                                cli_args(store, store.dir, {"dump", "--json"}), {}, kBuildTimeoutSeconds);
  if (dump.exit_code != 0)
    return error(errc::io, "raftvault dump " + store.dir + ": " + describe_end(dump) + ": " + trim(dump.err));
  store.reference_dump = dump.out;
  return {};
}

}  // namespace

std::vector<std::string> cli_args(const sweep_store& store, const std::string& dir,
                                  std::vector<std::string> args) {
  args.push_back("--data-dir");
  args.push_back(dir);
  if (!store.unlock_key_file.empty()) {
    args.push_back("--unlock-key-file");
    args.push_back(store.unlock_key_file);
  }
  return args;
}

result<std::vector<sweep_store>> build_stores(const campaign_options& options,
                                              const std::vector<std::string>& names) {
  std::vector<sweep_store> out;
  for (const auto& spec : kSpecs) {
    if (!names.empty() && std::find(names.begin(), names.end(), spec.name) == names.end()) continue;
    sweep_store store;
    store.name = spec.name;
    store.dir = options.scratch_dir + "/" + spec.name;
    store.cipher = spec.cipher;
    RV_TRY(spec.command ? build_with_cli(options, spec, store)
                        : build_with_pipeline(options, spec, store));
    RV_TRY(read_reference(options, store));
    out.push_back(std::move(store));
  }
  return out;
}

}  // namespace raftvault::reliability
