// raftvault verify: reads and authenticates everything a restart could need — the key file
// (digest, MAC, unlock key), every .snap file (CRC, then the sealed payload), every WAL record (CRC
// chain, framing), every entry payload a held key opens — then the restart path itself.
// Stops at the first problem, naming file, offset and cause (exit 1). Changes nothing.
#include <iostream>

#include "codec/cipher.h"
#include "codec/raft_codec.h"
#include "codec/wal_record.h"
#include "raftlog/encrypted_log.h"
#include "raftlog/log_rules.h"
#include "raftlog/snapshotter.h"
#include "raftlog/wal.h"
#include "raftlog/wal_decoder.h"
#include "tools/commands.h"
#include "tools/permission_notes.h"
#include "tools/progress.h"
#include "tools/report.h"
#include "tools/store_access.h"
#include "tools/table.h"

namespace raftvault::cli {
namespace {

struct auth_failure {
  std::uint64_t index = 0;
  std::string where;
  error cause{errc::corruption, {}};
  bool may_be_retired = false;  // see sealed_with_retired_key
};

struct wal_tally {
  std::uint64_t records = 0;
  std::uint64_t entries = 0;
  std::uint64_t authenticated = 0;
  std::uint64_t superseded = 0;  // before the snapshot, sealed with a key no longer held
  std::string torn;              // a torn tail a restart would truncate
  std::string garbage;           // non-zero bytes after the clean end, which a restart zeroes
  std::vector<auth_failure> failures;  // judged once the snapshot a restart uses is known
  raftlog::record_rules rules;
  std::vector<std::string> rule_violations;  // "FILE offset N: what", in log order
};

// Checks a state or snapshot record against raft's rules (raftlog/log_rules.h); a
// violation is kept, and the walk goes on so that every one is reported.
status check_rules(wal_tally& tally, const codec::wal_record& record, const std::string& where) {
  status checked;
  switch (static_cast<codec::record_type>(record.type)) {
    case codec::record_type::state: {
      RV_ASSIGN(auto state, codec::decode_hard_state(record.data));
      checked = tally.rules.state(state);
      break;
    }
    case codec::record_type::snapshot: {
      RV_ASSIGN(auto marker, codec::decode_snapshot_marker(record.data));
      checked = tally.rules.snapshot(marker);
      break;
    }
    default:
      break;
  }
  if (!checked) tally.rule_violations.push_back(where + ": " + checked.error().message());
  return {};
}

void check_entry_rules(wal_tally& tally, const entry& e, const std::string& where) {
  if (auto checked = tally.rules.entry(e.index, e.term); !checked)
    tally.rule_violations.push_back(where + ": " + checked.error().message());
}

// Whether a payload (an entry's or a snapshot's) that does not open may just be sealed with a
// DEK a rotation retired: its generation is not held, or it names none (secretbox records), so
// no single held key is known to be its own. Failing under a generation still held is
// tampering, before the snapshot too.
bool sealed_with_retired_key(const std::string& sealed, const error& cause) {
  if (cause.code() == errc::missing_key) return true;
  if (cause.code() != errc::wrong_key) return false;
  auto header = codec::inspect_record(sealed);
  return header && header->key_id == 0;
}

// A .snap file no held key opens, judged once the snapshot a restart uses is known.
struct snap_failure {
  std::uint64_t index = 0;
  std::string where;
  error cause{errc::corruption, {}};
};

int problem(const std::string& data_dir, const std::string& where, const std::string& cause) {
  return fail("verify " + data_dir + ": " + where + ": " + cause);
}

// Walks every record of every segment with the CRC chain; opens every entry payload.
int walk_wal(const offline_store& store, wal_tally& tally) {
  const auto segments = raftlog::list_segments(store.layout.wal_dir());
  std::vector<std::string> paths;
  std::vector<std::uint64_t> starts;  // bytes before each segment, for the progress bar
  std::uint64_t total = 0;
  for (const auto& s : segments) {
    paths.push_back(store.layout.wal_dir() + "/" + s.name);
    starts.push_back(total);
    total += s.size_bytes;
  }
  progress_bar bar("verify", total, "B");
  raftlog::wal_decoder decoder(paths);
  raftlog::decoded_record record;
  for (;;) {
    const auto outcome = decoder.next(record);
    if (outcome == raftlog::decode_status::clean_end) {
      if (decoder.garbage_after_end())
        tally.garbage = paths.back() + " after byte offset " + std::to_string(decoder.last_valid_offset());
      break;
    }
    if (outcome == raftlog::decode_status::torn_tail) {
      tally.torn = decoder.failure().message();
      break;
    }
    if (outcome != raftlog::decode_status::record) {
      bar.finish();
      return fail("verify " + store.data_dir + ": " + decoder.failure().message());
    }
    ++tally.records;
    bar.update(starts[record.file] + record.offset);
    const std::string where = paths[record.file] + " offset " + std::to_string(record.offset);
    if (auto checked = check_rules(tally, record.record, where); !checked) {
      bar.finish();
      return problem(store.data_dir, where, checked.error().message());
    }
    if (record.record.type != static_cast<std::int64_t>(codec::record_type::entry)) continue;
    auto stored = codec::decode_entry(record.record.data);
    if (!stored) {
      bar.finish();
      return problem(store.data_dir, where, stored.error().message());
    }
    ++tally.entries;
    check_entry_rules(tally, *stored, where);
    if (!store.codec->encrypted()) continue;
    auto opened = store.codec->open_entry(*stored);
    if (opened) {
      ++tally.authenticated;
      continue;
    }
    tally.failures.push_back({stored->index, where, opened.error(),
                              sealed_with_retired_key(stored->data, opened.error())});
  }
  bar.finish();
  return kExitOk;
}

}  // namespace

int cmd_verify(int argc, char** argv) {
  const command_spec spec{
      "verify", "", 0, "Read and authenticate every retained record, snapshot and the key file.",
      "Exit 0 with a summary when everything checks out; exit 1 at the first problem, naming\n"
      "the file, the byte offset and the cause. Nothing is repaired or changed.",
      {{"data-dir", "DIR", "the store's directory", true}, unlock_key_file_flag()}};
  parsed_args args;
  if (auto code = parse_args(spec, argc, argv, args)) return *code;
  const std::string data_dir = args.value("data-dir");
  // The key file: digest, structure, MAC, unlock key.
  auto store = open_offline(args, data_dir, keys::open_mode::read_only);
  if (!store) {
    if (store.error().code() == errc::corruption) return fail("verify " + data_dir + ": " + store.error().message());
    return fail(store.error(), data_dir);
  }
  warn_loose_permissions(store->layout);
  const auto key_status = store->keys->status();

  // Snapshots: CRC and name of every file, then the payload under the held keys.
  raftlog::snapshotter snaps(store->layout.snap_dir());
  auto names = snaps.list();
  if (!names) return fail("verify " + data_dir + ": " + names.error().message());
  std::vector<snap_failure> snap_failures;
  for (const auto& name : *names) {
    const std::string where = store->layout.snap_dir() + "/" + name + " offset 0";
    auto snap = snaps.load_file(name);
    if (!snap) return problem(data_dir, where, snap.error().message());
    if (!store->codec->encrypted()) continue;
    auto opened = store->codec->open_snapshot(*snap);
    if (opened) continue;
    if (!sealed_with_retired_key(snap->data, opened.error())) return problem(data_dir, where, opened.error().message());
    snap_failures.push_back({snap->metadata.index, where, opened.error()});
  }

  wal_tally tally;
  if (int code = walk_wal(*store, tally); code != kExitOk) return code;

  // Every record that breaks raft's rules, before the restart path stops at the first problem
  // it meets (a commit beyond the log it reads, for one).
  if (!tally.rule_violations.empty()) {
    for (const auto& violation : tally.rule_violations)
      std::cerr << "raft rule broken: " << violation << "\n";
    return fail("verify " + data_dir + ": " + std::to_string(tally.rule_violations.size()) +
                " raft rule violation(s), each named above");
  }

  // What a restart reads decides which snapshot supersedes old entries.
  auto content = raftlog::read_store(data_dir, store->codec);
  if (!content) return fail("verify " + data_dir + ": " + content.error().message());
  const raftvault::snapshot_marker at = content->snap ? content->snap->marker() : raftvault::snapshot_marker{};
  for (const auto& failure : tally.failures) {
    if (failure.index <= at.index && failure.may_be_retired) {
      ++tally.superseded;  // a rotation retired its key; the snapshot replaces the entry
      continue;
    }
    return problem(data_dir, failure.where, failure.cause.message());
  }
  // A rotation retires its key before it deletes the old key's files: a crash in between
  // leaves older snapshots no held key opens, which the newer one a restart uses replaces.
  std::uint64_t superseded_snaps = 0;
  for (const auto& failure : snap_failures) {
    if (failure.index >= at.index) return problem(data_dir, failure.where, failure.cause.message());
    ++superseded_snaps;
  }
  if (auto verified = raftlog::verify_wal(store->layout.wal_dir(), at); !verified)
    return fail("verify " + data_dir + ": " + verified.error().message());

  const auto segments = raftlog::list_segments(store->layout.wal_dir());
  key_value_list summary;
  summary.add("key file", store->keys->key_path() + ": ok (" + (key_status.locked ? "locked, MAC checked" : key_status.has_digest ? "unlocked, digest checked" : "unlocked") +
                              ", kek-version " + std::to_string(key_status.kek_version) + ", DEK generation " +
                              std::to_string(key_status.current_generation) +
                              (key_status.pending_generation ? " + pending " + std::to_string(*key_status.pending_generation) : "") + ")")
      .add("snapshots", std::to_string(names->size()) + " file(s) ok" +
                            (!store->codec->encrypted() ? ""
                             : superseded_snaps == 0
                                 ? ", authenticated"
                                 : ", " + std::to_string(names->size() - superseded_snaps) +
                                       " authenticated, " + std::to_string(superseded_snaps) +
                                       " older than the restart's under a retired key"))
      .add("wal", std::to_string(segments.size()) + " segment(s), " + thousands(tally.records) +
                      " records, CRC chain ok")
      .add("entries", thousands(tally.entries) + " records" +
                          (store->codec->encrypted() ? ", " + thousands(tally.authenticated) + " authenticated" +
                                                           (tally.superseded ? ", " + thousands(tally.superseded) +
                                                                                   " before the snapshot under a retired key"
                                                                             : "")
                                                     : " (plaintext store)"))
      .add("restart reads", (content->snap ? "snapshot " + std::to_string(at.index) + " (term " + std::to_string(at.term) + ") + " : std::string()) +
                                std::to_string(content->entries.size()) + " entries, hard state term " +
                                std::to_string(content->state.term) + " vote " + std::to_string(content->state.vote) +
                                " commit " + std::to_string(content->state.commit));
  if (!key_status.has_digest)
    summary.add("note", "the key file has no raftvault-digest line (an older raftvault wrote it)" +
                            std::string(key_status.locked ? "" : ", so not all damage to it can be detected") +
                            ": the next write of the key file (a DEK rotation, an autolock change) adds one");
  if (!tally.torn.empty()) summary.add("note", "torn tail (a crash mid-write; the next open truncates it): " + tally.torn);
  if (!tally.garbage.empty())
    summary.add("note", "non-zero bytes after the clean end, not records (the next open zeroes them): " + tally.garbage);
  std::cout << "verified " << data_dir << "\n";
  summary.print(std::cout, "  ");
  // A torn tail is an interrupted, never acknowledged write: the store opens, but the next
  // open drops that record, so the store is not reported "ok" as it is.
  std::cout << (tally.torn.empty() ? "result: ok" : "result: repairable (torn tail)") << std::endl;
  return kExitOk;
}

}  // namespace raftvault::cli
