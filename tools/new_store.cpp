#include "tools/new_store.h"

#include <iostream>

#include "fileio/file.h"
#include "keys/secret_file.h"
#include "raftlog/encrypted_log.h"
#include "raftlog/store_layout.h"
#include "tools/report.h"

namespace raftvault::cli {

std::optional<new_store_request> new_store_request_from(const command_spec& spec,
                                                        const parsed_args& args, int& exit_code) {
  new_store_request request;
  request.data_dir = args.value("data-dir");
  request.autolock = args.has("autolock");
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
    auto pem = keys::read_secret_file(args.value("tls-key"));
    if (!pem) {
      exit_code = fail("cannot read --tls-key " + args.value("tls-key") + ": " + pem.error().message());
      return std::nullopt;
    }
    request.tls_key_pem = std::move(*pem);
  }
  return request;
}

result<keys::key_store> create_new_keys(const new_store_request& request, bool& created_data_dir) {
  const std::string& dir = request.data_dir;
  created_data_dir = false;
  if (raftlog::detect_layout(dir))
    return error(errc::already_exists, dir + " already holds a raftvault store: choose another --data-dir");
  const raftlog::store_layout layout{dir, true};
  if (fileio::exists(layout.keys_dir() + "/" + keys::key_store::kKeyFileName))
    return error(errc::already_exists,
                 layout.keys_dir() + "/node.key exists without a store (left by an interrupted init or "
                                     "import?): remove " + dir + " or choose another --data-dir");
  if (!fileio::exists(dir)) {
    RV_TRY(fileio::make_dir_durable(dir));
    created_data_dir = true;
  }
  keys::create_options options;
  options.autolock = request.autolock;
  if (request.tls_key_pem) {
    RV_ASSIGN(options.tls_key_pem, request.tls_key_pem->clone());
  }
  return keys::key_store::create(layout.keys_dir(), options);
}

void discard_new_store(const std::string& data_dir, bool created_data_dir) {
  if (created_data_dir) {
    (void)fileio::remove_all(data_dir);
    return;
  }
  for (const char* sub : {"keys", "wal-v3-encrypted", "snap-v3-encrypted", "wal-v3", "snap-v3"})
    (void)fileio::remove_all(data_dir + "/" + sub);
}

void show_new_unlock_key(const keys::unlock_key& key, const std::string& data_dir) {
  auto text = key.text();
  if (!text) {
    fail("cannot show the new unlock key: " + text.error().message());
    return;
  }
  std::cout.write(text->view().data(), static_cast<std::streamsize>(text->view().size()));
  std::cout << std::endl;
  note("the line on stdout is the unlock key of " + data_dir +
       ", shown once: keep it safe; commands read it from --unlock-key-file FILE (mode 0600) or "
       "RAFTVAULT_UNLOCK_KEY");
}

}  // namespace raftvault::cli
