// raftvault dump: what a restart would read, decrypted — metadata, hard state, snapshot
// metadata and the entries after the snapshot (payloads described by length and sha256).
#include <iostream>

#include "raftlog/encrypted_log.h"
#include "tools/commands.h"
#include "tools/json_writer.h"
#include "tools/permission_notes.h"
#include "tools/report.h"
#include "tools/store_access.h"
#include "tools/table.h"
#include "tools/text_format.h"

namespace raftvault::cli {
namespace {

void dump_json(const raftlog::recovered_state& content, std::uint64_t from) {
  json_writer json(std::cout);
  json.begin_object().field("metadata_hex", to_hex(content.metadata));
  json.key("hard_state").begin_object()
      .field("term", content.state.term).field("vote", content.state.vote).field("commit", content.state.commit)
      .end_object();
  json.key("snapshot");
  if (content.snap) {
    json.begin_object()
        .field("index", content.snap->metadata.index)
        .field("term", content.snap->metadata.term)
        .field("data_len", static_cast<std::uint64_t>(content.snap->data.size()))
        .field("data_sha256", sha256_hex(content.snap->data));
    json.key("voters").begin_array();
    for (auto v : content.snap->metadata.conf.voters) json.value(v);
    json.end_array().end_object();
  } else {
    json.null();
  }
  json.key("entries").begin_array();
  for (const auto& e : content.entries) {
    if (e.index < from) continue;
    json.begin_object()
        .field("index", e.index)
        .field("term", e.term)
        .field("type", static_cast<std::uint64_t>(e.type))
        .field("data_len", static_cast<std::uint64_t>(e.data.size()))
        .field("data_sha256", sha256_hex(e.data))
        .end_object();
  }
  json.end_array().end_object();
  std::cout << std::endl;
}

void dump_text(const raftlog::recovered_state& content, std::uint64_t from) {
  key_value_list head;
  head.add("metadata", printable_or_size(content.metadata) + " (hex " + to_hex(content.metadata) + ")")
      .add("hard state", "term " + std::to_string(content.state.term) + ", vote " +
                             std::to_string(content.state.vote) + ", commit " + std::to_string(content.state.commit));
  if (content.snap) {
    head.add("snapshot", "index " + std::to_string(content.snap->metadata.index) + ", term " +
                             std::to_string(content.snap->metadata.term) + ", " +
                             thousands(content.snap->data.size()) + " bytes, sha256 " +
                             sha256_hex(content.snap->data).substr(0, 16));
  } else {
    head.add("snapshot", "none");
  }
  table entries({"index", "term", "type", "bytes", "sha256"});
  for (const auto& e : content.entries) {
    if (e.index < from) continue;
    entries.add({std::to_string(e.index), std::to_string(e.term), entry_type_name(e.type),
                 thousands(e.data.size()), sha256_hex(e.data).substr(0, 16)});
  }
  std::string range = "none";
  if (!content.entries.empty())
    range = std::to_string(content.entries.size()) + " (index " + std::to_string(content.entries.front().index) +
            ".." + std::to_string(content.entries.back().index) + ")";
  head.add("entries", range + (from > 0 ? ", showing index >= " + std::to_string(from) : ""));
  head.print(std::cout);
  if (entries.size() > 0) {
    std::cout << "\n";
    entries.print(std::cout);
  }
}

}  // namespace

int cmd_dump(int argc, char** argv) {
  const command_spec spec{
      "dump", "", 0, "Print what a restart would read: metadata, hard state, snapshot, entries.",
      "Payloads are decrypted and described by length and sha256 (the plaintext's). Entries are\n"
      "those after the snapshot; --json prints one object with stable field names.",
      {{"data-dir", "DIR", "the store's directory", true},
       {"json", "", "one JSON object instead of text"},
       {"from", "INDEX", "only entries with index >= INDEX"},
       unlock_key_file_flag()}};
  parsed_args args;
  if (auto code = parse_args(spec, argc, argv, args)) return *code;
  std::uint64_t from = 0;
  if (args.has("from")) {
    int code = kExitOk;
    auto parsed = parse_index(spec, "from", args.value("from"), code);
    if (!parsed) return code;
    from = *parsed;
  }
  const std::string data_dir = args.value("data-dir");
  auto store = open_offline(args, data_dir, keys::open_mode::read_only);
  if (!store) return fail(store.error(), data_dir);
  warn_loose_permissions(store->layout);
  auto content = raftlog::read_store(data_dir, store->codec);
  if (!content) return fail(content.error(), data_dir);
  if (!content->skipped_snapshot.empty()) warn_skipped_snapshot(content->skipped_snapshot, data_dir);
  if (args.has("json")) dump_json(*content, from);
  else dump_text(*content, from);
  return kExitOk;
}

}  // namespace raftvault::cli
