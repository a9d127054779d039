#include "tools/new_store.h"

#include <iostream>

#include "fileio/crash_point.h"
#include "fileio/file.h"
#include "fileio/standard_fds.h"
#include "keys/secret_file.h"
#include "keys/tls_key.h"
#include "raftlog/encrypted_log.h"
#include "raftlog/store_layout.h"
#include "tools/permission_notes.h"
#include "tools/report.h"

namespace raftvault::cli {

std::optional<new_store_request> new_store_request_from(const command_spec& spec,
                                                        const parsed_args& args, int& exit_code) {
  new_store_request request;
  request.data_dir = args.value("data-dir");
  request.autolock = args.has("autolock");
  if (request.autolock) {
    if (auto shown = check_stdout_takes_new_key(); !shown) {
      exit_code = fail(shown.error().message() + ": nothing was created");
      return std::nullopt;
    }
  }
  if (args.has("cipher")) {
    auto cipher = codec::parse_cipher(args.value("cipher"));
    if (!cipher) {
      exit_code = usage_error(spec, "--cipher: " + cipher.error().message());
      return std::nullopt;
    }
    request.cipher = *cipher;
  }
  auto segment_size = segment_size_from(spec, args, exit_code);
  if (!segment_size) return std::nullopt;
  request.segment_size = *segment_size;
  if (args.has("tls-key")) {
    auto pem = keys::read_secret_file(args.value("tls-key"), keys::kMaxTlsKeyPemBytes);
    if (!pem) {
      exit_code = fail("cannot read --tls-key " + args.value("tls-key") + ": " + pem.error().message());
      return std::nullopt;
    }
    // Checked here, before anything is created: key creation would refuse it only after
    // making keys/.
    const std::string cannot_use = "cannot use --tls-key " + args.value("tls-key") + ": ";
    if (pem->view().empty()) {
      exit_code = fail(cannot_use + "the file is empty (expected an unencrypted PEM private key)");
      return std::nullopt;
    }
    if (auto der = keys::tls_key_from_pem(pem->view()); !der) {
      exit_code = fail(cannot_use + der.error().message());
      return std::nullopt;
    }
    request.tls_key_pem = std::move(*pem);
  }
  return request;
}

result<new_store_guard> start_new_store(const std::string& dir, const std::string& command) {
  // A run killed before it finished left a store whose unlock key may never have been shown:
  // undo it first, as that run's own guard would have.
  RV_ASSIGN(auto discarded, new_store_guard::discard_unfinished(dir));
  if (discarded)
    note(dir + " held a store left unfinished by an interrupted '" + *discarded +
         "' (its unlock key, if any, was never shown): removed what that run created; creating the store again");
  if (raftlog::detect_layout(dir))
    return error(errc::already_exists, dir + " already holds a raftvault store: choose another --data-dir");
  const raftlog::store_layout layout{dir, true};
  if (fileio::exists(layout.keys_dir() + "/" + keys::key_store::kKeyFileName))
    return error(errc::already_exists,
                 layout.keys_dir() + "/node.key exists without a store (left by an interrupted init or "
                                     "import?): remove " + dir + " or choose another --data-dir");
  RV_ASSIGN(auto guard, new_store_guard::start(dir));
  RV_TRY(guard.make_data_dir());
  RV_TRY(guard.write_journal(command));
  return guard;
}

result<keys::key_store> create_new_keys(const new_store_request& request, new_store_guard& guard) {
  keys::create_options options;
  options.autolock = request.autolock;
  if (request.tls_key_pem) {
    RV_ASSIGN(options.tls_key_pem, request.tls_key_pem->clone());
  }
  auto created = keys::key_store::create(raftlog::store_layout{request.data_dir, true}.keys_dir(), options);
  if (!created && (created.error().code() == errc::locked || created.error().code() == errc::already_exists))
    guard.disown();
  return created;
}

int fail_new_store(new_store_guard& guard, const std::string& message) {
  auto discarded = guard.discard();
  if (!discarded)
    return fail(message + " (and could not remove what it created: " + discarded.error().message() + ")");
  return fail(message);
}

status check_stdout_takes_new_key() {
  if (fileio::standard_fds_at_start().stdout_closed)
    return error(errc::invalid_argument,
                 "stdout is closed, so a new unlock key could not be shown (redirect it to a file instead)");
  return {};
}

status write_new_unlock_key(const keys::unlock_key& key) {
  RV_TRY(check_stdout_takes_new_key());
  auto text = key.text();
  if (!text) return text.error().with_context("cannot show the new unlock key");
  std::cout.write(text->view().data(), static_cast<std::streamsize>(text->view().size()));
  std::cout << std::endl;
  if (!std::cout) {
    std::cout.clear();
    return error(errc::io, "cannot write the new unlock key to stdout");
  }
  return {};
}

void note_new_unlock_key(const std::string& data_dir) {
  note("the line on stdout is the unlock key of " + data_dir +
       ", shown once: keep it safe; commands read it from --unlock-key-file FILE (mode 0600) or "
       "RAFTVAULT_UNLOCK_KEY");
}

void make_new_store_private(const new_store_request& request) {
  make_store_private(raftlog::store_layout{request.data_dir, request.cipher != codec::cipher::none});
}

int keep_new_store_with_key(new_store_guard& guard, const keys::key_store& keys) {
  fileio::crash_point("new_store.complete");
  if (keys.kek()) {
    if (auto written = write_new_unlock_key(*keys.kek()); !written)
      return fail_new_store(guard, written.error().message() +
                                       ": without it the new store could never be opened, so it is removed");
    fileio::crash_point("new_store.key_shown");
  }
  if (auto finished = guard.finish(); !finished)
    return fail_new_store(guard, finished.error().message() +
                                     ": the new store could not be marked complete, so it is removed" +
                                     (keys.kek() ? " (the unlock key shown opens nothing)" : ""));
  return kExitOk;
}

}  // namespace raftvault::cli
