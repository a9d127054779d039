// What a failed init or import removes: exactly what the run created in the data directory,
// never anything that was there before it started (an empty directory the user made, files of
// their own, a store).
//
// How "created by this run" is decided:
//  - the data directory itself: it did not exist when the run started and the run made it
//    (fileio::make_dir also accepts one made by someone else in the instant between: another
//    init or import doing so meets this run at keys/LOCK, see disown());
//  - inside a data directory that existed: an entry missing from the listing taken when the run
//    started, at the top level or below one of the directories init and import write into
//    (keys/, wal-v3-encrypted/, snap-v3-encrypted/, wal-v3/, snap-v3/). Other directories are
//    neither listed nor entered.
// The listing is taken after the refusals (a store, a key file), so it never covers a store;
// from key creation on the run holds keys/LOCK, so no other init or import adds files meanwhile.
// An empty directory that existed and is gone after the failure (import's copy protocol replaces
// an empty snap directory) is made again with its mode.
// When key creation meets another process (keys/LOCK held, or a key file that appeared),
// disown() makes the guard remove nothing: what is new there belongs to that process.
//
// A run killed before it finishes cannot clean up, and what it leaves may be a complete store
// locked with an unlock key that was never shown. So the listing is also written to
// DATA_DIR/.unfinished-store (new_store_journal.h) before anything else is created, and only
// removed once the store is complete and its key shown: other commands refuse a store that has
// it, and the next init or import discards exactly what the killed run created, then starts
// again. The run holds the file locked (flock) while it lives, so a live run is never taken for
// a dead one.
#pragma once

#include <optional>
#include <string>

#include "codec/error.h"
#include "fileio/file.h"
#include "tools/new_store_journal.h"

namespace raftvault::cli {

class new_store_guard {
 public:
  // Lists what `data_dir` holds (nothing when it does not exist). errc::invalid_argument when
  // it exists and is not a directory.
  static result<new_store_guard> start(const std::string& data_dir);

  // When `data_dir` holds .unfinished-store left by a run that died: removes what that run
  // created, as its guard would have, and returns the command it was ("init", "import").
  // nullopt when there is none; errc::locked when that run is still alive.
  static result<std::optional<std::string>> discard_unfinished(const std::string& data_dir);

  new_store_guard(new_store_guard&& other) noexcept;
  new_store_guard& operator=(new_store_guard&&) = delete;
  new_store_guard(const new_store_guard&) = delete;
  new_store_guard& operator=(const new_store_guard&) = delete;
  // A guard dropped while armed discards: a return path that skips discard() leaves nothing.
  ~new_store_guard();

  // Creates the data directory (0700, its name fsynced in the parent) when it did not exist.
  status make_data_dir();
  // Writes .unfinished-store (the listing and `command`), durably and held locked; after
  // make_data_dir, before anything else is created. errc::locked when another run wrote one
  // first (it is creating a store here: the guard is disowned).
  status write_journal(const std::string& command);

  // Removes what this run created (each new entry with everything below it) and fsyncs the
  // directories it removed from; once only. Continues past a failure and returns the first one
  // (its message names the path left behind).
  status discard();
  // Success: removes .unfinished-store durably; then nothing is left to undo. On failure the
  // guard stays armed.
  status finish();
  // Another process is creating a store here: remove nothing of it, only this run's own
  // .unfinished-store (best effort).
  void disown();

 private:
  explicit new_store_guard(std::string data_dir) : data_dir_(std::move(data_dir)) {}
  status record(const std::string& relative);
  void discard_below(const std::string& relative, status& first_failure);

  std::string data_dir_;
  bool armed_ = false;
  data_dir_listing listing_;
  std::optional<fileio::exclusive_lock> journal_lock_;
};

}  // namespace raftvault::cli
