#include "reliability/sweep_read.h"

#include <algorithm>

#include "actors/held_keys.h"
#include "raftlog/wal.h"
#include "raftlog/wal_decoder.h"

namespace raftvault::reliability {
namespace {

std::string text_of(const hard_state& s) {
  return "{term " + std::to_string(s.term) + ", vote " + std::to_string(s.vote) + ", commit " +
         std::to_string(s.commit) + "}";
}

std::string span_of(const std::vector<entry>& entries) {
  if (entries.empty()) return "no entries";
  return std::to_string(entries.size()) + " entries " + std::to_string(entries.front().index) +
         ".." + std::to_string(entries.back().index);
}

std::string snap_of(const std::optional<snapshot>& s) {
  if (!s) return "no snapshot";
  return "snapshot " + std::to_string(s->metadata.index) + " (term " +
         std::to_string(s->metadata.term) + ")";
}

std::string torn_tail_of(const std::string& data_dir) {
  auto layout = raftlog::detect_layout(data_dir);
  if (!layout) return {};
  const auto segments = raftlog::list_segments(layout->wal_dir());
  if (segments.empty()) return {};
  raftlog::wal_decoder decoder({layout->wal_dir() + "/" + segments.back().name});
  raftlog::decoded_record record;
  raftlog::decode_status status;
  while ((status = decoder.next(record)) == raftlog::decode_status::record) {
  }
  return status == raftlog::decode_status::torn_tail ? decoder.failure().message() : "";
}

// A newer snapshot skipped as damaged, the restart reading from an older one plus the WAL:
// nothing is lost when the same hard state and every reference entry come back.
bool covers_reference(const raftlog::recovered_state& ref, const raftlog::recovered_state& got) {
  if (got.metadata != ref.metadata || !(got.state == ref.state)) return false;
  const std::uint64_t ref_at = ref.snap ? ref.snap->metadata.index : 0;
  const std::uint64_t got_at = got.snap ? got.snap->metadata.index : 0;
  if (got_at >= ref_at) return false;
  if (got.entries.size() < ref.entries.size()) return false;
  const std::uint64_t got_last = got.entries.empty() ? got_at : got.entries.back().index;
  const std::uint64_t ref_last = ref.entries.empty() ? ref_at : ref.entries.back().index;
  if (got_last != ref_last) return false;
  return std::equal(ref.entries.rbegin(), ref.entries.rend(), got.entries.rbegin());
}

}  // namespace

std::string relative(std::string text, const std::string& store_dir) {
  for (std::size_t at; (at = text.find(store_dir)) != std::string::npos;)
    text.replace(at, store_dir.size(), "<store>");
  return text;
}

result<key_material> open_keys(const std::string& data_dir, const keys::unlock_key* kek,
                               codec::cipher cipher) {
  RV_ASSIGN(auto store, keys::key_store::open(data_dir + "/keys", kek));
  key_material out;
  out.status = store.status();
  for (const auto& ref : store.key_set()) {
    RV_ASSIGN(auto copy, keys::secret_bytes::copy_of(std::string_view(
                             reinterpret_cast<const char*>(ref.bytes), codec::kKeyBytes)));
    out.deks.push_back(keys::dek{ref.generation, std::move(copy)});
  }
  RV_ASSIGN(out.tls_key, store.tls_key_der().clone());
  RV_ASSIGN(out.codec, actors::codec_for(store, cipher));
  return out;
}

std::string key_difference(const key_material& reference, const key_material& got) {
  const auto& a = reference.status;
  const auto& b = got.status;
  std::string out;
  auto note = [&](const std::string& what) { out += (out.empty() ? "" : "; ") + what; };
  if (a.locked != b.locked) note("locked flag differs");
  if (a.kek_version != b.kek_version)
    note("kek-version " + std::to_string(a.kek_version) + " -> " + std::to_string(b.kek_version));
  if (a.needs_rotation != b.needs_rotation) note("needs-rotation flag differs");
  if (a.pending_generation != b.pending_generation) note("pending generation differs");
  if (reference.deks.size() != got.deks.size()) {
    note("number of DEKs differs");
  } else {
    for (std::size_t i = 0; i < got.deks.size(); ++i) {
      if (reference.deks[i].generation != got.deks[i].generation)
        note("DEK generation " + std::to_string(reference.deks[i].generation) + " -> " +
             std::to_string(got.deks[i].generation));
      if (!reference.deks[i].key.equals(got.deks[i].key)) note("DEK bytes differ");
    }
  }
  if (!reference.tls_key.equals(got.tls_key.view())) note("TLS private key differs");
  return out;
}

store_reading read_as_restart(const std::string& data_dir,
                              const std::shared_ptr<const raftlog::payload_codec>& codec) {
  store_reading out;
  auto read = raftlog::read_store(data_dir, codec);
  if (!read) {
    out.failure = read.error();
    return out;
  }
  out.content = std::move(read).value();
  out.torn = torn_tail_of(data_dir);
  return out;
}

std::string content_difference(const raftlog::recovered_state& ref,
                               const raftlog::recovered_state& got) {
  std::string out;
  auto note = [&](const std::string& what) { out += (out.empty() ? "" : "; ") + what; };
  if (got.metadata != ref.metadata) note("metadata differs");
  if (!(got.state == ref.state))
    note("hard state " + text_of(ref.state) + " -> " + text_of(got.state));
  if (got.snap.has_value() != ref.snap.has_value() ||
      (got.snap && !(*got.snap == *ref.snap))) {
    note(snap_of(ref.snap) + " -> " + snap_of(got.snap) +
         (got.snap && ref.snap && got.snap->marker() == ref.snap->marker() ? " (contents differ)"
                                                                           : ""));
  }
  if (got.entries != ref.entries) {
    std::string detail = span_of(ref.entries) + " -> " + span_of(got.entries);
    const auto mismatch =
        std::mismatch(ref.entries.begin(), ref.entries.end(), got.entries.begin(), got.entries.end());
    if (mismatch.first != ref.entries.end() && mismatch.second != got.entries.end())
      detail += " (first difference at entry " + std::to_string(mismatch.first->index) + ")";
    note(detail);
  }
  return out;
}

verdict refused(const error& failure, const std::string& store_dir) {
  const bool names_file = failure.message().find(store_dir) != std::string::npos;
  verdict v;
  v.outcome_class = "refused: " + std::string(to_string(failure.code()));
  v.outcome = relative(failure.message(), store_dir);
  if (!names_file) {
    v.outcome_class = "REFUSED WITHOUT NAMING A FILE";
    v.ok = false;
  }
  return v;
}

verdict judge(const raftlog::recovered_state& reference, const store_reading& got,
              const std::string& store_dir) {
  if (got.failure) return refused(*got.failure, store_dir);
  const std::string difference = content_difference(reference, got.content);
  if (difference.empty() && got.content.skipped_snapshot.empty()) {
    if (got.torn.empty()) return {"identical", "same content", true};
    return {"torn tail repaired, nothing lost", relative(got.torn, store_dir), true};
  }
  if (!got.content.skipped_snapshot.empty() && covers_reference(reference, got.content)) {
    return {"older snapshot used, damaged newer one named",
            relative(got.content.skipped_snapshot, store_dir), true};
  }
  // What was lost, and how the reader ended: the table's answer to "which damage goes unseen".
  const auto& ref = reference.entries;
  const auto& read = got.content.entries;
  const bool rest_same = got.content.metadata == reference.metadata && got.content.snap == reference.snap;
  const bool entries_lost = rest_same && read.size() < ref.size() && std::equal(read.begin(), read.end(), ref.begin());
  const bool state_only = rest_same && read == ref && got.content.skipped_snapshot.empty();
  const std::string how = got.torn.empty() ? "clean end" : "torn-tail repair";
  const std::string kind = entries_lost ? "SILENT LOSS: entries"
                           : state_only ? "SILENT CHANGE: hard state"
                                        : "SILENT CHANGE: log content";
  std::string shown = difference.empty() ? "a newer snapshot was skipped" : difference;
  if (!got.torn.empty()) shown += " [" + relative(got.torn, store_dir) + "]";
  return {kind + ", " + how, shown, false};
}

}  // namespace raftvault::reliability
