// raftvault status: what the store is and where its log stands, for people or (--json) scripts.
#include <iostream>

#include "raftlog/encrypted_log.h"
#include "raftlog/wal.h"
#include "tools/commands.h"
#include "tools/json_writer.h"
#include "tools/permission_notes.h"
#include "tools/report.h"
#include "tools/store_access.h"
#include "tools/table.h"
#include "tools/text_format.h"

namespace raftvault::cli {
namespace {

std::string generations_text(const std::vector<std::uint32_t>& generations) {
  std::string out;
  for (auto g : generations) out += (out.empty() ? "" : ", ") + std::to_string(g);
  return out.empty() ? "none" : out;
}

}  // namespace

int cmd_status(int argc, char** argv) {
  const command_spec spec{
      "status", "", 0, "Show the store's format, cipher, keys, rotation state and log bounds.",
      "Reads without changing anything; refuses a store another process is using.",
      {{"data-dir", "DIR", "the store's directory", true},
       {"json", "", "one JSON object (stable field names) instead of text"},
       unlock_key_file_flag()}};
  parsed_args args;
  if (auto code = parse_args(spec, argc, argv, args)) return *code;
  const std::string data_dir = args.value("data-dir");
  auto store = open_offline(args, data_dir, keys::open_mode::read_only);
  if (!store) return fail(store.error(), data_dir);
  warn_loose_permissions(store->layout);
  auto content = raftlog::read_store(data_dir, store->codec);
  if (!content) return fail(content.error(), data_dir);
  if (!content->skipped_snapshot.empty()) warn_skipped_snapshot(content->skipped_snapshot, data_dir);
  auto in_use = raftlog::key_generations_in_use(data_dir);
  if (!in_use) return fail(in_use.error(), data_dir);

  const auto keys = store->keys->status();
  const auto segments = raftlog::list_segments(store->layout.wal_dir());
  std::uint64_t segment_bytes = 0;
  for (const auto& s : segments) segment_bytes += s.size_bytes;
  const std::uint64_t snapshot_index = content->snap ? content->snap->metadata.index : 0;
  const std::uint64_t snapshot_term = content->snap ? content->snap->metadata.term : 0;
  const std::uint64_t first_index = snapshot_index + 1;
  const std::uint64_t last_index = content->entries.empty() ? snapshot_index : content->entries.back().index;
  const std::string format = store->layout.encrypted ? "raftvault encrypted (etcd 3.4 WAL/snap, sealed payloads)"
                                                     : "plaintext (etcd 3.4 WAL/snap)";
  const std::string cipher = store->detected_cipher ? std::string(codec::to_string(*store->detected_cipher))
                                                    : "unknown (no sealed record yet: the writer's raftvault.cipher decides)";
  const std::string rotation(keys::to_string(keys.state));

  if (args.has("json")) {
    json_writer json(std::cout);
    json.begin_object()
        .field("data_dir", data_dir)
        .field("format", store->layout.encrypted ? "encrypted" : "plaintext")
        .field("wal_dir", store->layout.wal_dir())
        .field("snap_dir", store->layout.snap_dir())
;
    json.key("cipher");
    if (store->detected_cipher) json.value(codec::to_string(*store->detected_cipher));
    else json.null();
    json.key("key_generations").begin_object().field("current", keys.current_generation);
    json.key("pending");
    if (keys.pending_generation) json.value(static_cast<std::uint64_t>(*keys.pending_generation));
    else json.null();
    json.field("in_use", *in_use).end_object();
    json.field("rotation_state", rotation)
        .field("needs_rotation", keys.needs_rotation)
        .field("autolock", keys.locked)
        .field("kek_version", keys.kek_version)
        .field("segment_count", static_cast<std::uint64_t>(segments.size()))
        .field("segment_bytes", segment_bytes);
    json.key("segments").begin_array();
    for (const auto& s : segments)
      json.begin_object().field("name", s.name).field("first_index", s.first_index).field("size_bytes", s.size_bytes).end_object();
    json.end_array();
    json.field("first_index", first_index)
        .field("last_index", last_index)
        .field("entries", static_cast<std::uint64_t>(content->entries.size()))
        .field("snapshot_index", snapshot_index)
        .field("snapshot_term", snapshot_term);
    json.key("skipped_snapshot");  // a newer snapshot skipped as damaged: why, else null
    if (content->skipped_snapshot.empty()) json.null();
    else json.value(content->skipped_snapshot);
    json.key("hard_state").begin_object()
        .field("term", content->state.term).field("vote", content->state.vote).field("commit", content->state.commit)
        .end_object();
    json.field("metadata_hex", to_hex(content->metadata)).end_object();
    std::cout << std::endl;
    return kExitOk;
  }

  key_value_list list;
  list.add("store", data_dir)
      .add("format", format)
      .add("cipher", cipher)
      .add("key generations", "current " + std::to_string(keys.current_generation) +
                                  (keys.pending_generation ? ", pending " + std::to_string(*keys.pending_generation) : "") +
                                  "; used by retained records: " + generations_text(*in_use))
      .add("rotation state", rotation + (keys.needs_rotation ? " (a DEK rotation is requested)" : ""))
      .add("autolock", keys.locked ? "on (key file locked by an unlock key)" : "off")
      .add("kek-version", std::to_string(keys.kek_version))
      .add("segments", std::to_string(segments.size()) + " (" + thousands(segment_bytes) + " bytes on disk)")
      .add("first index", std::to_string(first_index))
      .add("last index", std::to_string(last_index))
      .add("snapshot", content->snap ? "index " + std::to_string(snapshot_index) + ", term " + std::to_string(snapshot_term)
                                     : "none")
      .add("hard state", "term " + std::to_string(content->state.term) + ", vote " +
                             std::to_string(content->state.vote) + ", commit " + std::to_string(content->state.commit))
      .add("metadata", printable_or_size(content->metadata));
  list.print(std::cout);
  return kExitOk;
}

}  // namespace raftvault::cli
