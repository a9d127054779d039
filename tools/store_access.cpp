#include "tools/store_access.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include "actors/held_keys.h"
#include "codec/raft_codec.h"
#include "codec/wal_record.h"
#include "raftlog/encrypted_log.h"
#include "raftlog/segment_name.h"
#include "raftlog/snapshotter.h"
#include "raftlog/wal.h"
#include "raftlog/wal_decoder.h"
#include "raftlog/wal_format.h"
#include "keys/unlock_key_source.h"
#include "tools/new_store_journal.h"

namespace raftvault::cli {

std::optional<error> unreadable_wal(const std::string& wal_dir) {
  struct stat st {};
  if (::lstat(wal_dir.c_str(), &st) != 0 && errno == ENOENT) return std::nullopt;
  auto segments = raftlog::read_segments(wal_dir);
  if (segments) return std::nullopt;
  return segments.error();
}

result<raftlog::store_layout> find_store(const std::string& data_dir) {
  if (const std::string unfinished = unfinished_store_path(data_dir); fileio::exists(unfinished))
    return error(errc::not_found, "store " + data_dir + " is unfinished: the init or import creating it is running or "
                                  "was interrupted (" + unfinished + " is there), so its unlock key may never have "
                                  "been shown: run that command again to start over, or remove " + data_dir);
  auto layout = raftlog::detect_layout(data_dir);
  if (!layout && layout.error().code() == errc::not_found) {
    for (bool encrypted : {true, false})
      if (auto unreadable = unreadable_wal(raftlog::store_layout{data_dir, encrypted}.wal_dir()))
        return unreadable->with_context("cannot read the store in " + data_dir);
    return error(errc::not_found, "no raftvault store in " + data_dir +
                                      " (no wal-v3-encrypted/ or wal-v3/ with segments): create one "
                                      "with 'raftvault init' or 'raftvault import'");
  }
  return layout;
}

status check_not_in_use(const raftlog::store_layout& layout) {
  for (const std::string& path : {layout.keys_dir() + "/LOCK",
                                  layout.wal_dir() + "/" + raftlog::kLockFileName}) {
    if (!fileio::exists(path)) continue;  // never create a file just to probe
    auto lock = fileio::exclusive_lock::acquire(path);
    if (!lock) {
      if (lock.error().code() == errc::locked)
        return error(errc::locked, "store " + layout.data_dir + " is in use: " + path +
                                       " is locked by another process (is another raftvault "
                                       "process or service running on it?)");
      return lock.error();
    }
  }
  return {};
}

result<std::optional<keys::unlock_key>> unlock_key_for(const parsed_args& args,
                                                       const std::string& data_dir,
                                                       const std::string& keys_dir) {
  if (args.has("unlock-key-file")) {
    auto key = keys::read_unlock_key_file(args.value("unlock-key-file"));
    if (!key) return key.error().with_context("--unlock-key-file " + args.value("unlock-key-file"));
    return std::optional<keys::unlock_key>(std::move(*key));
  }
  // Set but empty (`RAFTVAULT_UNLOCK_KEY=$(cat missing-file)`) is no key at all: an unlocked
  // store needs none, and a locked one is refused below naming the variable.
  const char* env_key = std::getenv(kUnlockKeyEnv);
  const bool env_empty = env_key != nullptr && *env_key == '\0';
  if (env_key != nullptr && !env_empty) {
    auto key = keys::read_unlock_key_env(kUnlockKeyEnv);
    if (!key) return key.error().with_context(std::string("$") + kUnlockKeyEnv);
    return std::optional<keys::unlock_key>(std::move(*key));
  }
  RV_ASSIGN(bool locked, keys::key_store::is_locked(keys_dir));
  if (!locked) return std::optional<keys::unlock_key>();
  if (::isatty(STDIN_FILENO) == 1) {
    auto key = keys::prompt_unlock_key("Unlock key for " + data_dir + ": ");
    if (key) return std::optional<keys::unlock_key>(std::move(*key));
    if (key.error().code() != errc::not_found) return key.error();
  }
  return error(errc::missing_key, "store " + data_dir +
                                      " is locked: pass --unlock-key-file FILE or set " + kUnlockKeyEnv +
                                      (env_empty ? " (it is set, but empty)" : ""));
}

namespace {

std::optional<codec::cipher> cipher_of_record(std::string_view record) {
  auto header = codec::inspect_record(record);
  if (!header) return std::nullopt;
  if (header->algorithm == static_cast<std::uint32_t>(codec::record_algorithm::secretbox_salsa20_poly1305))
    return codec::cipher::secretbox;
  if (header->algorithm == static_cast<std::uint32_t>(codec::record_algorithm::xchacha20_poly1305))
    return codec::cipher::xchacha20poly1305;
  return std::nullopt;
}

}  // namespace

std::optional<codec::cipher> detect_cipher(const raftlog::store_layout& layout) {
  if (!layout.encrypted) return codec::cipher::none;
  auto segments = raftlog::list_segments(layout.wal_dir());
  // Newest segment first; each starts with a crc record, so it decodes on its own.
  for (auto it = segments.rbegin(); it != segments.rend(); ++it) {
    raftlog::wal_decoder decoder({layout.wal_dir() + "/" + it->name});
    raftlog::decoded_record record;
    std::optional<codec::cipher> found;
    while (decoder.next(record) == raftlog::decode_status::record) {
      if (record.record.type != static_cast<std::int64_t>(codec::record_type::entry)) continue;
      auto e = codec::decode_entry(record.record.data);
      if (!e || e->data.empty()) continue;
      if (auto c = cipher_of_record(e->data)) found = c;
    }
    if (found) return *found;
  }
  raftlog::snapshotter snaps(layout.snap_dir());
  if (auto names = snaps.list(); names && !names->empty()) {
    if (auto snap = snaps.load_file(names->front()))
      if (auto c = cipher_of_record(snap->data)) return *c;
  }
  return std::nullopt;
}

std::optional<std::string> sealed_entries_in(const std::string& wal_dir) {
  auto segments = raftlog::list_segments(wal_dir);
  for (auto it = segments.rbegin(); it != segments.rend(); ++it) {
    const std::string path = wal_dir + "/" + it->name;
    raftlog::wal_decoder decoder({path});
    raftlog::decoded_record record;
    std::optional<std::string> first;
    bool all_sealed = true;
    while (all_sealed && decoder.next(record) == raftlog::decode_status::record) {
      if (record.record.type != static_cast<std::int64_t>(codec::record_type::entry)) continue;
      auto e = codec::decode_entry(record.record.data);
      if (!e || e->data.empty()) continue;
      auto c = cipher_of_record(e->data);
      auto header = codec::inspect_record(e->data);
      all_sealed = c && header && header->nonce_size == 24;
      if (all_sealed && !first)
        first = path + " at byte offset " + std::to_string(record.offset) + ": entry index " +
                std::to_string(e->index) + " holds a " + std::string(codec::to_string(*c)) + " record";
    }
    if (!all_sealed) return std::nullopt;
    if (first) return first;  // else no payload in this segment: the one before decides
  }
  return std::nullopt;
}

result<offline_store> open_offline(const parsed_args& args, const std::string& data_dir,
                                   keys::open_mode mode) {
  offline_store out;
  out.data_dir = data_dir;
  RV_ASSIGN(out.layout, find_store(data_dir));
  RV_TRY(check_not_in_use(out.layout));
  RV_ASSIGN(auto kek, unlock_key_for(args, data_dir, out.layout.keys_dir()));
  auto keys = keys::key_store::open(out.layout.keys_dir(), kek ? &*kek : nullptr, mode);
  if (!keys) return keys.error();
  out.keys = std::make_unique<keys::key_store>(std::move(*keys));
  const std::string wal_lock = out.layout.wal_dir() + "/" + raftlog::kLockFileName;
  if (fileio::exists(wal_lock)) {
    RV_ASSIGN(auto lock, fileio::exclusive_lock::acquire(wal_lock));
    out.wal_lock = std::move(lock);
  }
  out.detected_cipher = detect_cipher(out.layout);
  out.cipher = out.detected_cipher.value_or(codec::cipher::xchacha20poly1305);
  RV_ASSIGN(out.codec, actors::codec_for(*out.keys, out.cipher));
  return out;
}

}  // namespace raftvault::cli
