#include "actors/store_creation.h"

#include "actors/held_keys.h"
#include "codec/error.h"
#include "fileio/crash_point.h"
#include "fileio/file.h"
#include "raftlog/encrypted_log.h"
#include "raftlog/store_layout.h"
#include "raftlog/wal_format.h"

namespace raftvault::actors {
namespace {

std::string journal_path(const std::string& data_dir) {
  return data_dir + "/" + kCreatingStoreName;
}

// What a creation makes before its WAL, for both layouts.
std::vector<std::string> parts_before_commit(const std::string& data_dir) {
  std::vector<std::string> parts{raftlog::store_layout{data_dir, true}.keys_dir()};
  for (bool encrypted : {true, false}) {
    const raftlog::store_layout layout{data_dir, encrypted};
    parts.push_back(layout.snap_dir());
    parts.push_back(layout.wal_dir() + raftlog::kTempSuffix);
  }
  return parts;
}

// A dead creation's parts: a snap directory holding anything is not one of them.
status discard_dead_creation(const std::string& data_dir) {
  for (bool encrypted : {true, false}) {
    const std::string snap_dir = raftlog::store_layout{data_dir, encrypted}.snap_dir();
    if (!fileio::exists(snap_dir)) continue;
    RV_ASSIGN(const bool empty, fileio::is_empty_dir(snap_dir));
    if (!empty) {
      return error(errc::already_exists,
                   journal_path(data_dir) + " says a store creation died here, but " + snap_dir +
                       " holds files no creation makes: nothing removed; move them away or "
                       "remove " + journal_path(data_dir) + " if they belong to a store");
    }
  }
  bool removed = false;
  for (const std::string& part : parts_before_commit(data_dir)) {
    if (!fileio::exists(part)) continue;
    RV_TRY(fileio::remove_all(part));
    removed = true;
  }
  return removed ? fileio::fsync_dir(data_dir) : status{};
}

status remove_journal(const std::string& data_dir) {
  RV_TRY(fileio::unlink(journal_path(data_dir)));
  return fileio::fsync_dir(data_dir);
}

}  // namespace

result<opened_store> create_new_store(const pipeline_options& options,
                                      const raftlog::log_options& log_options) {
  const std::string& data_dir = options.data_dir;
  RV_TRY(fileio::make_dir_durable(data_dir));
  const bool dead_creation = fileio::exists(journal_path(data_dir));
  auto held = fileio::exclusive_lock::acquire(journal_path(data_dir));
  if (!held) {
    if (held.error().code() == errc::locked)
      return error(errc::locked, "another process is creating a store in " + data_dir + " (" +
                                     journal_path(data_dir) + " is locked)");
    return held.error();
  }
  // Another creation may have committed between the caller's look and this lock.
  if (auto layout = raftlog::detect_layout(data_dir)) {
    return error(errc::already_exists, "a store was created in " + data_dir + " meanwhile (" +
                                           layout->wal_dir() + ")");
  }
  if (dead_creation) RV_TRY(discard_dead_creation(data_dir));
  RV_TRY(fileio::fsync_dir(data_dir));  // the journal is durable before any part exists
  fileio::crash_point("store_creation.journal_made");

  opened_store out;
  const raftlog::store_layout layout{data_dir, options.cipher != codec::cipher::none};
  keys::create_options key_options;
  key_options.autolock = options.autolock;
  RV_ASSIGN(auto store, keys::key_store::create(layout.keys_dir(), key_options));
  if (store.kek()) {
    RV_ASSIGN(auto copy, store.kek()->clone());
    out.new_unlock_key = std::move(copy);
  }
  out.keys = std::make_shared<keys::key_store>(std::move(store));
  RV_ASSIGN(auto codec, codec_for(*out.keys, options.cipher));
  RV_ASSIGN(auto log,
            raftlog::encrypted_log::create(data_dir, options.metadata, codec, log_options));
  fileio::crash_point("store_creation.committed");
  RV_TRY(remove_journal(data_dir));
  out.log = std::move(log);
  out.recovered.metadata = options.metadata;
  return out;
}

status forget_finished_creation(const std::string& data_dir) {
  if (!fileio::exists(journal_path(data_dir))) return {};
  auto held = fileio::exclusive_lock::acquire_if_present(journal_path(data_dir));
  if (!held) return held.error().code() == errc::locked ? status{} : status(held.error());
  if (!held->held()) return {};
  return remove_journal(data_dir);
}

}  // namespace raftvault::actors
