// raftvault init: a new, empty store.
#include <iostream>

#include "actors/held_keys.h"
#include "raftlog/encrypted_log.h"
#include "tools/commands.h"
#include "tools/new_store.h"
#include "tools/report.h"

namespace raftvault::cli {

int cmd_init(int argc, char** argv) {
  const command_spec spec{
      "init", "", 0, "Create a new, empty store in DIR.",
      "The store is encrypted with XChaCha20-Poly1305 unless --cipher says otherwise. With\n"
      "--autolock the key file is locked with a new unlock key, printed once on stdout.",
      {{"data-dir", "DIR", "the store's directory (created if missing)", true},
       {"autolock", "", "lock the key file with a new unlock key"},
       {"cipher", "NAME", "xchacha20poly1305 (default), secretbox or none"},
       {"metadata", "TEXT", "the WAL metadata (etcd: the node and cluster id)"},
       {"tls-key", "PEM_FILE", "the node's TLS private key to store (default: a new EC P-256 key)"},
       segment_size_flag()}};
  parsed_args args;
  if (auto code = parse_args(spec, argc, argv, args)) return *code;
  int code = kExitOk;
  auto request = new_store_request_from(spec, args, code);
  if (!request) return code;

  auto guard = start_new_store(request->data_dir, spec.name);
  if (!guard) return fail(guard.error(), request->data_dir);
  auto keys = create_new_keys(*request, *guard);
  if (!keys) return fail_new_store(*guard, with_advice(keys.error(), request->data_dir));
  auto created = [&]() -> status {
    RV_ASSIGN(auto codec, actors::codec_for(*keys, request->cipher));
    raftlog::log_options options;
    options.wal.segment_size = request->segment_size;
    RV_ASSIGN(auto log, raftlog::encrypted_log::create(request->data_dir, args.value("metadata"), codec, options));
    return log->close();
  }();
  if (!created) return fail_new_store(*guard, with_advice(created.error(), request->data_dir));
  if (auto kept = keep_new_store_with_key(*guard, *keys); kept != kExitOk) return kept;
  make_new_store_private(*request);
  if (request->cipher == codec::cipher::none && request->autolock)
    note("--cipher none stores the log in plaintext: autolock protects only the key file");
  const auto status = keys->status();
  note("created store " + request->data_dir + " (cipher " + std::string(codec::to_string(request->cipher)) +
       ", DEK generation " + std::to_string(status.current_generation) + ", autolock " +
       (status.locked ? "on" : "off") + ")");
  if (keys->kek()) note_new_unlock_key(request->data_dir);
  return kExitOk;
}

}  // namespace raftvault::cli
