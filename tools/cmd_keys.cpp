// raftvault unlock-key rotate / autolock on|off: changes to the key file only (one atomic
// replace each). The new unlock key is printed alone on stdout, before the key file changes.
#include <iostream>

#include "tools/commands.h"
#include "tools/new_store.h"
#include "tools/permission_notes.h"
#include "tools/report.h"
#include "tools/store_access.h"

namespace raftvault::cli {
namespace {

// A new unlock key is printed before the key file is re-wrapped under it: had stdout not taken
// it (`> /dev/full`, a closed pipe), no key anyone holds would open the store again.
// Installs the printed key; a failure says which key now opens the store.
int install_unlock_key(keys::key_store& store, const keys::unlock_key& fresh, std::uint64_t version,
                       const std::string& data_dir) {
  auto installed = store.update_kek(&fresh, version);
  if (installed) return kExitOk;
  // A failed directory fsync after the rename still leaves the new key in force (key_store.h).
  const bool in_force = store.status().kek_version == version;
  return fail(with_advice(installed.error(), data_dir) +
              (in_force ? ": the key file already holds the key printed on stdout (it may not survive a crash)"
                        : ": the key printed on stdout was not installed; the previous one still opens the store"));
}

}  // namespace

int cmd_unlock_key(int argc, char** argv) {
  const command_spec spec{
      "unlock-key", "rotate", 1, "rotate: replace the unlock key (the KEK) of a locked store.",
      "The key file is re-wrapped under a new unlock key (kek-version + 1) in one atomic replace;\n"
      "the new key is printed once on stdout and the old one stops working.",
      {{"data-dir", "DIR", "the store's directory", true}, unlock_key_file_flag()}};
  parsed_args args;
  if (auto code = parse_args(spec, argc, argv, args)) return *code;
  if (args.positional()[0] != "rotate")
    return usage_error(spec, "unknown action '" + args.positional()[0] + "' (expected rotate)");
  const std::string data_dir = args.value("data-dir");
  auto store = open_offline(args, data_dir, keys::open_mode::read_write);
  if (!store) return fail(store.error(), data_dir);
  if (!store->keys->status().locked)
    return fail("store " + data_dir + " has autolock off, so there is no unlock key to rotate: turn it on with "
                "'raftvault autolock on --data-dir " + data_dir + "'");
  auto version = store->keys->next_kek_version();
  if (!version) return fail(version.error(), data_dir);
  if (auto made = make_store_private(store->layout); !made) return fail(made.error(), data_dir);
  auto fresh = keys::unlock_key::generate();
  if (!fresh) return fail(fresh.error(), data_dir);
  if (auto shown = write_new_unlock_key(*fresh); !shown)
    return fail(shown.error().message() + ": the unlock key of " + data_dir + " was not changed");
  if (auto installed = install_unlock_key(*store->keys, *fresh, *version, data_dir); installed != kExitOk)
    return installed;
  note("unlock key of " + data_dir + " rotated (kek-version " + std::to_string(*version) +
       "); the previous key no longer opens it");
  note_new_unlock_key(data_dir);
  return kExitOk;
}

int cmd_autolock(int argc, char** argv) {
  const command_spec spec{
      "autolock", "on|off", 1, "Lock the key file with an unlock key (on), or store it unwrapped (off).",
      "on: a new unlock key is generated and printed once on stdout; a DEK rotation is requested,\n"
      "because the old data key was stored unwrapped. off: needs the current unlock key.",
      {{"data-dir", "DIR", "the store's directory", true}, unlock_key_file_flag()}};
  parsed_args args;
  if (auto code = parse_args(spec, argc, argv, args)) return *code;
  const std::string& mode = args.positional()[0];
  if (mode != "on" && mode != "off") return usage_error(spec, "expected on or off, got '" + mode + "'");
  const bool on = mode == "on";
  const std::string data_dir = args.value("data-dir");
  auto store = open_offline(args, data_dir, keys::open_mode::read_write);
  if (!store) return fail(store.error(), data_dir);
  // Modes are fixed only by a run that changes the key file.
  if (on != store->keys->status().locked) {
    if (auto made = make_store_private(store->layout); !made) return fail(made.error(), data_dir);
  }
  if (!on) {
    auto changed = store->keys->set_autolock(false);
    if (!changed) return fail(changed.error(), data_dir);
    note("autolock is off for " + data_dir + ": the key file is no longer locked (anyone who can read it "
         "can read the log)");
    return kExitOk;
  }
  if (store->keys->status().locked) {
    note("autolock is already on for " + data_dir + " (use 'raftvault unlock-key rotate' for a new key)");
    return kExitOk;
  }
  auto version = store->keys->next_kek_version();
  if (!version) return fail(version.error(), data_dir);
  auto fresh = keys::unlock_key::generate();
  if (!fresh) return fail(fresh.error(), data_dir);
  if (auto shown = write_new_unlock_key(*fresh); !shown)
    return fail(shown.error().message() + ": " + data_dir + " was not locked (autolock stays off)");
  // Locking a key file that held the DEK unwrapped also requests a DEK rotation (update_kek).
  if (auto installed = install_unlock_key(*store->keys, *fresh, *version, data_dir); installed != kExitOk)
    return installed;
  if (store->layout.encrypted) {
    note("autolock is on for " + data_dir + "; a DEK rotation is requested (the old data key was stored "
         "unwrapped): run 'raftvault rotate-dek --data-dir " + data_dir +
         "', or the service rotates it when it starts");
  } else {
    // A plaintext store seals nothing with its DEK: the request stays a flag, never run.
    note("autolock is on for " + data_dir + " (a plaintext store: its log is not encrypted, the key "
         "file protects the node's TLS key)");
  }
  note_new_unlock_key(data_dir);
  return kExitOk;
}

}  // namespace raftvault::cli
