// Steps 1-2 of the demo: a locked store under the consensus load in this process, with a DEK
// rotation and then an unlock key rotation while appends keep flowing.
#include <chrono>
#include <iostream>
#include <memory>
#include <thread>

#include "fileio/file.h"
#include "keys/unlock_key.h"
#include "tools/args.h"
#include "tools/demo_phases.h"
#include "tools/demo_report.h"
#include "tools/demo_workload.h"
#include "tools/report.h"

namespace raftvault::cli::demo {
namespace {

status write_key_file(const std::string& path, const keys::unlock_key& key) {
  RV_ASSIGN(keys::secret_bytes text, key.text());
  std::string line;
  const keys::wipe_on_exit wipe(line);  // the demo's key file is meant; stray copies are not
  line.reserve(text.size() + 1);
  line.append(text.view());
  line.push_back('\n');
  return fileio::write_file_atomic(path, line, fileio::kPrivateFileMode);
}

}  // namespace

int run_first_phase(const demo_config& config, actors::storage_status& before, actors::storage_status& after,
                    std::uint64_t& last_index) {
  auto opened = actors::blocking_storage::open(options_for(config));
  if (!opened) return fail(opened.error(), config.dir);
  auto& storage = **opened;
  if (!storage.new_unlock_key()) return fail("demo: the new store has no unlock key");
  if (auto written = write_key_file(config.key_file, *storage.new_unlock_key()); !written)
    return fail(written.error(), config.dir);
  auto st = storage.status_report();
  if (!st) return fail(st.error(), config.dir);
  before = *st;
  std::cout << "1. created a locked store: cipher xchacha20poly1305, " << generations(before) << "\n"
            << "   unlock key written to " << config.key_file << " (0600)\n";

  auto state = std::make_shared<service_state>();
  register_provider(storage, state);
  load_shape shape;
  shape.producers = config.producers;
  std::cout << "2. consensus load: " << shape.producers << " producers x " << shape.batch << " entries of "
            << shape.entry_bytes << " B per append, hard state every append, a snapshot every "
            << shape.snapshot_every_s << " s" << std::endl;
  load running(storage, state, 1, shape);
  const auto phase = std::chrono::duration<double>(config.seconds / 3);
  std::this_thread::sleep_for(phase);
  auto rotation = storage.rotate_dek();
  if (!rotation) return fail("demo: DEK rotation under load failed: " + rotation.error().message());
  std::this_thread::sleep_for(phase);
  auto fresh = keys::unlock_key::generate();
  if (!fresh) return fail(fresh.error(), config.dir);
  auto text = fresh->text();
  if (!text) return fail(text.error(), config.dir);
  auto rekeyed = storage.rotate_kek(std::string(text->view()), before.kek_version + 1);
  if (!rekeyed) return fail("demo: unlock key rotation failed: " + rekeyed.error().message());
  if (auto written = write_key_file(config.key_file, *fresh); !written) return fail(written.error(), config.dir);
  std::this_thread::sleep_for(phase);
  auto stats = running.stop();
  if (!stats.failure.empty()) return fail("demo: the load failed: " + stats.failure);
  st = storage.status_report();
  if (!st) return fail(st.error(), config.dir);
  after = *st;
  last_index = st->last_index;
  print_load(stats, after);
  std::cout << "     DEK rotation under load: generation " << rotation->old_id << " -> " << rotation->new_id
            << ", last index sealed with " << rotation->old_id << ": " << rotation->last_old
            << ", forced snapshot at " << rotation->snapshot_index << ", " << ms(rotation->duration_us)
            << " while appends kept flowing\n"
            << "     unlock key rotated under load: kek-version " << before.kek_version << " -> " << after.kek_version
            << " (the new key replaced " << config.key_file << ")\n";
  if (auto closed = storage.close(); !closed) return fail(closed.error(), config.dir);
  return kExitOk;
}

}  // namespace raftvault::cli::demo
