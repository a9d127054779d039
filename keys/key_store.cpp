// key_store: opening, creating and the DEK rotation state machine. KEK changes are in
// key_store_kek.cpp, the TLS key and certificate in key_store_tls.cpp.
#include "keys/key_store.h"

#include <fcntl.h>

#include <filesystem>
#include <system_error>

#include "fileio/crash_point.h"
#include "keys/permissions.h"
#include "keys/tls_key.h"

namespace raftvault::keys {

std::string_view to_string(rotation_state s) {
  switch (s) {
    case rotation_state::steady: return "{C}";
    case rotation_state::requested: return "{C,F}";
    case rotation_state::pending: return "{C,P}";
    case rotation_state::pending_and_requested: return "{C,P,F}";
  }
  return "?";
}

namespace {

result<std::string> read_key_file(const std::string& path) {
  RV_TRY(check_private_file(path));
  RV_ASSIGN(auto f, fileio::file::open(path, O_RDONLY));
  RV_ASSIGN(auto size, f.size());
  if (size > kMaxKeyFileBytes)
    return error(errc::corruption, "key file " + path + " is " + std::to_string(size) +
                                       " bytes, more than the limit of " + std::to_string(kMaxKeyFileBytes) +
                                       " bytes: it is damaged or not a raftvault key file");
  std::string text(static_cast<std::size_t>(size), '\0');
  if (size != 0) RV_TRY(f.pread_exact(text.data(), text.size(), 0));
  return text;
}

}  // namespace

result<key_store> key_store::create(const std::string& keys_dir, const create_options& options) {
  // The parent is fsynced too: node.key's own rename is durable only if keys/ itself is.
  RV_TRY(fileio::make_dir_durable(keys_dir));
  RV_TRY(check_private_dir(keys_dir));
  key_store store;
  store.dir_ = keys_dir;
  RV_ASSIGN(store.lock_, fileio::exclusive_lock::acquire(keys_dir + "/LOCK"));
  if (fileio::exists(store.key_path())) {
    return error(errc::already_exists, "key file " + store.key_path() + " already exists");
  }
  key_file_contents contents;
  if (options.tls_key_pem) {
    RV_ASSIGN(contents.tls_key, tls_key_from_pem(options.tls_key_pem->view()));
  } else {
    RV_ASSIGN(contents.tls_key, generate_tls_key());
  }
  if (options.tls_cert_pem) {
    RV_TRY(check_certificate_matches(*options.tls_cert_pem, contents.tls_key, store.cert_path()));
    // The certificate first: a crash before node.key exists leaves a store that create()
    // simply makes again.
    RV_TRY(fileio::write_file_atomic(store.cert_path(), *options.tls_cert_pem, 0644));
  }
  RV_ASSIGN(contents.current, generate_dek(1));
  std::optional<unlock_key> kek;
  if (options.autolock) {
    RV_ASSIGN(auto fresh, unlock_key::generate());
    kek = std::move(fresh);
    contents.kek_version = 1;
  }
  RV_TRY(store.persist(std::move(contents), std::move(kek)));
  return store;
}

result<key_store> key_store::open(const std::string& keys_dir, const unlock_key* kek,
                                  open_mode mode) {
  RV_TRY(check_private_dir(keys_dir));
  key_store store;
  store.dir_ = keys_dir;
  store.read_only_ = mode == open_mode::read_only;
  const std::string lock_path = keys_dir + "/LOCK";
  if (store.read_only_) {
    RV_ASSIGN(store.lock_, fileio::exclusive_lock::acquire_if_present(lock_path));
  } else {
    RV_ASSIGN(store.lock_, fileio::exclusive_lock::acquire(lock_path));
  }
  const std::string path = store.key_path();
  if (!fileio::exists(path)) return error(errc::not_found, "key file " + path + " does not exist");
  // A temp file left by a crash before its rename holds nothing the real file lacks.
  const std::string temp = store.key_target_path() + ".tmp";
  if (!store.read_only_ && fileio::exists(temp)) RV_TRY(fileio::unlink(temp));
  RV_ASSIGN(auto text, read_key_file(path));
  // An unlocked key file holds the DEKs and the TLS key in the clear.
  const wipe_on_exit wipe_text(text);
  RV_ASSIGN(store.contents_, decode_key_file(text, kek, path));
  RV_ASSIGN(auto summary, peek_key_file(text, path));
  store.has_digest_ = summary.has_digest;
  if (summary.locked) {
    RV_ASSIGN(auto copy, kek->clone());
    store.kek_ = std::move(copy);
  }
  RV_TRY(store.recover_certificate());
  return store;
}

::raftvault::status key_store::writable() const {
  if (!read_only_) return ::raftvault::status::ok();
  return error(errc::invalid_argument, "key store " + dir_ + " was opened read-only");
}

std::string key_store::key_target_path() const {
  std::error_code ec;
  if (std::filesystem::is_symlink(key_path(), ec)) {
    auto target = std::filesystem::canonical(key_path(), ec);
    if (!ec) return target.string();
  }
  return key_path();  // a dangling link is replaced like a file: there is nothing to keep
}

result<bool> key_store::is_locked(const std::string& keys_dir) {
  const std::string path = keys_dir + "/" + kKeyFileName;
  RV_ASSIGN(auto text, read_key_file(path));
  const wipe_on_exit wipe_text(text);
  RV_ASSIGN(auto summary, peek_key_file(text, path));
  return summary.locked;
}

key_status key_store::status() const {
  key_status s;
  s.locked = kek_.has_value();
  s.kek_version = contents_.kek_version;
  s.current_generation = contents_.current.generation;
  if (contents_.pending) s.pending_generation = contents_.pending->generation;
  s.needs_rotation = contents_.needs_rotation;
  s.has_digest = has_digest_;
  if (contents_.pending) {
    s.state = s.needs_rotation ? rotation_state::pending_and_requested : rotation_state::pending;
  } else {
    s.state = s.needs_rotation ? rotation_state::requested : rotation_state::steady;
  }
  return s;
}

std::optional<codec::key_ref> key_store::pending_key() const {
  if (!contents_.pending) return std::nullopt;
  return contents_.pending->ref();
}

std::vector<codec::key_ref> key_store::key_set() const {
  std::vector<codec::key_ref> keys{contents_.current.ref()};
  if (contents_.pending) keys.push_back(contents_.pending->ref());
  return keys;
}

result<const secret_bytes*> key_store::tls_key_block_for(const key_file_contents& next,
                                                         const std::optional<unlock_key>& next_kek) {
  const bool same_kek = next_kek.has_value() == kek_.has_value() &&
                        (!kek_ || next_kek->same_as(*kek_));
  const bool same_key = next.tls_key.equals(contents_.tls_key);
  if (!same_kek || !same_key) return nullptr;  // encoded afresh; persist() caches it
  if (!tls_key_block_) {
    RV_ASSIGN(auto block, encode_tls_key_block(contents_.tls_key, kek_ ? &*kek_ : nullptr));
    tls_key_block_ = std::move(block);
  }
  return &*tls_key_block_;
}

::raftvault::status key_store::replace_file(const std::string& text, bool& replaced) {
  replaced = false;
  RV_TRY(writable());
  fileio::crash_point("keys.persist.before_replace");
  // Through a symbolic link the target is replaced (temp file beside it, rename over it, fsync
  // of its directory): replacing the link itself would leave the target with the old state.
  auto written = fileio::write_file_atomic(key_target_path(), text);
  replaced = static_cast<bool>(written);
  if (written) has_digest_ = true;
  if (!written) {
    // The replace may have failed after its rename (the directory fsync). Then the file holds
    // the new state and memory must follow it: a new unlock key must never be dropped while
    // the file already needs it. kek() and status() always describe what the file holds.
    auto on_disk = fileio::read_file(key_path());
    if (!on_disk) return written.error();
    const wipe_on_exit wipe_on_disk(on_disk.value());
    replaced = on_disk.value() == text;
    if (!replaced) return written.error();
    has_digest_ = true;
    return written.error().with_context("key file " + key_path() +
                                        " was replaced but may not be durable");
  }
  fileio::crash_point("keys.persist.after_replace");
  return ::raftvault::status::ok();
}

::raftvault::status key_store::persist(key_file_contents next, std::optional<unlock_key> next_kek) {
  RV_ASSIGN(const secret_bytes* cached, tls_key_block_for(next, next_kek));
  std::optional<secret_bytes> fresh;
  if (cached == nullptr) {
    RV_ASSIGN(fresh, encode_tls_key_block(next.tls_key, next_kek ? &*next_kek : nullptr));
    cached = &*fresh;
  }
  RV_ASSIGN(auto text, encode_key_file(next, next_kek ? &*next_kek : nullptr, cached));
  const wipe_on_exit wipe_text(text);
  bool replaced = false;
  auto outcome = replace_file(text, replaced);
  if (replaced) {
    contents_ = std::move(next);
    kek_ = std::move(next_kek);
    if (fresh) tls_key_block_ = std::move(fresh);
  }
  return outcome;
}

::raftvault::status key_store::persist_change(const std::function<void(key_file_contents&)>& change,
                                              const std::function<void(key_file_contents&)>& undo) {
  RV_ASSIGN(const secret_bytes* block, tls_key_block_for(contents_, kek_));
  change(contents_);
  auto text = encode_key_file(contents_, kek_ ? &*kek_ : nullptr, block);
  if (!text) {
    undo(contents_);
    return text.error();
  }
  const wipe_on_exit wipe_text(*text);
  bool replaced = false;
  auto outcome = replace_file(*text, replaced);
  if (!replaced) undo(contents_);
  return outcome;
}

result<std::optional<unlock_key>> key_store::current_kek_copy() const {
  if (!kek_) return std::optional<unlock_key>();
  RV_ASSIGN(auto copy, kek_->clone());
  return std::optional<unlock_key>(std::move(copy));
}

::raftvault::status key_store::request_rotation() {
  if (contents_.needs_rotation) return ::raftvault::status::ok();  // requests coalesce
  return persist_change([](key_file_contents& c) { c.needs_rotation = true; },
                        [](key_file_contents& c) { c.needs_rotation = false; });
}

::raftvault::status key_store::prepare_rotation() {
  if (contents_.pending) {
    return error(errc::invalid_argument, "a DEK rotation is already pending (generation " +
                                             std::to_string(contents_.pending->generation) + ")");
  }
  if (contents_.current.generation == UINT32_MAX) {
    return error(errc::invalid_argument, "DEK generations are exhausted");
  }
  RV_ASSIGN(auto pending, generate_dek(contents_.current.generation + 1));
  const bool requested = contents_.needs_rotation;
  return persist_change(
      [&pending](key_file_contents& c) {
        c.pending = std::move(pending);
        c.needs_rotation = false;
      },
      [requested](key_file_contents& c) {
        c.pending.reset();
        c.needs_rotation = requested;
      });
}

::raftvault::status key_store::complete_rotation() {
  if (!contents_.pending) {
    return error(errc::invalid_argument, "no pending DEK: prepare a rotation before completing it");
  }
  std::optional<dek> retired;  // kept until the file no longer holds it
  return persist_change(
      [&retired](key_file_contents& c) {
        retired = std::move(c.current);
        c.current = std::move(*c.pending);
        c.pending.reset();
      },
      [&retired](key_file_contents& c) {
        c.pending = std::move(c.current);
        c.current = std::move(*retired);
      });
}

}  // namespace raftvault::keys
