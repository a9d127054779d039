// raftvault rotate-dek: offline re-encryption of the whole store under a new data key
// (offline_rotation.h describes the crash-safe protocol).
#include <chrono>
#include <iostream>

#include "tools/commands.h"
#include "tools/permission_notes.h"
#include "tools/offline_rotation.h"
#include "tools/progress.h"
#include "tools/report.h"

namespace raftvault::cli {

int cmd_rotate_dek(int argc, char** argv) {
  const command_spec spec{
      "rotate-dek", "", 0, "Re-encrypt the store under a new data encryption key (offline).",
      "The snapshot and every retained entry are re-sealed into a new directory that is swapped\n"
      "in crash-safely; the old key is retired only after. Resumes an interrupted rotation.\n"
      "The store must not be in use.",
      {{"data-dir", "DIR", "the store's directory", true}, unlock_key_file_flag()}};
  parsed_args args;
  if (auto code = parse_args(spec, argc, argv, args)) return *code;
  const std::string data_dir = args.value("data-dir");
  auto store = open_offline(args, data_dir, keys::open_mode::read_write);
  if (!store) return fail(store.error(), data_dir);
  if (store->layout.encrypted) {  // a plaintext store is refused below, unchanged
    if (auto made = make_store_private(store->layout); !made) return fail(made.error(), data_dir);
  }
  const auto start = std::chrono::steady_clock::now();
  progress_bar bar("rotate-dek", 0, "entries");
  auto report = rotate_dek_offline(*store, [&bar](std::uint64_t done, std::uint64_t total) {
    bar.set_total(total);
    bar.update(done);
  });
  bar.finish();
  if (!report) {
    const auto status = store->keys->status();
    std::string state = status.pending_generation ? " (the key file keeps the pending key; rerun to finish)" : "";
    return fail(report.error().message() + state + (advice_for(report.error(), data_dir).empty() ? "" : ": " + advice_for(report.error(), data_dir)));
  }
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
  std::cout << "rotated data key of " << data_dir << ": generation " << report->old_generation << " -> "
            << report->new_generation << (report->resumed ? " (resumed a pending rotation)" : "") << "; re-sealed "
            << report->entries << " entries"
            << (report->snapshot_index ? " and the snapshot at index " + std::to_string(report->snapshot_index) : std::string())
            << " in " << ms << " ms; generation " << report->old_generation << " retired" << std::endl;
  return kExitOk;
}

}  // namespace raftvault::cli
