#include "raftio/raft_records.h"

#include <cstring>

namespace raftvault::raftio {
namespace {

// Envelope: "rvraft1\n", configuration index (u64), server count (u32), each server as id
// (u64), role (u32), address length (u32) and address bytes; then the FSM's bytes. Little endian.
constexpr std::string_view kEnvelopeMagic = "rvraft1\n";

void put64(std::string& out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>(v >> (8 * i)));
}
void put32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>(v >> (8 * i)));
}

class reader {
 public:
  explicit reader(std::string_view bytes) : bytes_(bytes) {}
  bool take(std::size_t n, std::string_view& out) {
    if (bytes_.size() - at_ < n) return false;
    out = bytes_.substr(at_, n);
    at_ += n;
    return true;
  }
  bool u64(std::uint64_t& v) { return number(8, v); }
  bool u32(std::uint32_t& v) {
    std::uint64_t wide = 0;
    if (!number(4, wide)) return false;
    v = static_cast<std::uint32_t>(wide);
    return true;
  }
  std::string_view rest() const { return bytes_.substr(at_); }

 private:
  bool number(std::size_t n, std::uint64_t& v) {
    std::string_view raw;
    if (!take(n, raw)) return false;
    v = 0;
    for (std::size_t i = 0; i < n; ++i) v |= std::uint64_t(static_cast<unsigned char>(raw[i])) << (8 * i);
    return true;
  }
  std::string_view bytes_;
  std::size_t at_ = 0;
};

error malformed(std::uint64_t index, const std::string& what) {
  return error(errc::corruption, "the snapshot at index " + std::to_string(index) +
                                     " is not a canonical raft snapshot envelope: " + what);
}

}  // namespace

entry_type to_stored_type(unsigned short raft_type) {
  switch (raft_type) {
    case RAFT_CHANGE:
      return entry_type::conf_change;
    case RAFT_BARRIER:
      return entry_type::conf_change_v2;
    default:
      return entry_type::normal;
  }
}

result<unsigned short> to_raft_type(entry_type type, std::uint64_t index) {
  switch (type) {
    case entry_type::normal:
      return static_cast<unsigned short>(RAFT_COMMAND);
    case entry_type::conf_change:
      return static_cast<unsigned short>(RAFT_CHANGE);
    case entry_type::conf_change_v2:
      return static_cast<unsigned short>(RAFT_BARRIER);
  }
  return error(errc::corruption, "entry " + std::to_string(index) + " has an entry type canonical raft has no match for");
}

entry to_stored_entry(const raft_entry& e, std::uint64_t index) {
  entry out;
  out.index = index;
  out.term = e.term;
  out.type = to_stored_type(e.type);
  out.data.assign(static_cast<const char*>(e.buf.base), e.buf.len);
  return out;
}

result<raft_entry*> to_raft_entries(const std::vector<entry>& stored, std::size_t& n) {
  n = 0;
  if (stored.empty()) return static_cast<raft_entry*>(nullptr);
  std::size_t bytes = 0;
  for (const auto& e : stored) bytes += e.data.size();
  auto* entries = static_cast<raft_entry*>(raft_calloc(stored.size(), sizeof(raft_entry)));
  // One byte at least: raft frees the batch of every loaded entry, so it must not be null.
  auto* batch = static_cast<char*>(raft_malloc(bytes > 0 ? bytes : 1));
  if (!entries || !batch) {
    raft_free(entries);
    raft_free(batch);
    return error(errc::io, "out of memory loading " + std::to_string(stored.size()) + " entries");
  }
  std::size_t at = 0;
  for (std::size_t i = 0; i < stored.size(); ++i) {
    auto type = to_raft_type(stored[i].type, stored[i].index);
    if (!type) {
      raft_free(entries);
      raft_free(batch);
      return type.error();
    }
    entries[i].term = stored[i].term;
    entries[i].type = *type;
    entries[i].buf.base = batch + at;
    entries[i].buf.len = stored[i].data.size();
    entries[i].batch = batch;
    std::memcpy(batch + at, stored[i].data.data(), stored[i].data.size());
    at += stored[i].data.size();
  }
  n = stored.size();
  return entries;
}

void free_raft_entries(raft_entry* entries, std::size_t n) {
  if (!entries) return;
  if (n > 0) raft_free(entries[0].batch);
  raft_free(entries);
}

snapshot to_stored_snapshot(const raft_snapshot& snap) {
  snapshot out;
  out.metadata.index = snap.index;
  out.metadata.term = snap.term;
  std::string& data = out.data;
  data.append(kEnvelopeMagic);
  put64(data, snap.configuration_index);
  put32(data, snap.configuration.n);
  for (unsigned i = 0; i < snap.configuration.n; ++i) {
    const auto& server = snap.configuration.servers[i];
    put64(data, server.id);
    put32(data, static_cast<std::uint32_t>(server.role));
    const std::string_view address = server.address ? server.address : "";
    put32(data, static_cast<std::uint32_t>(address.size()));
    data.append(address);
    if (server.role == RAFT_VOTER) out.metadata.conf.voters.push_back(server.id);
    if (server.role == RAFT_STANDBY) out.metadata.conf.learners.push_back(server.id);
  }
  for (unsigned i = 0; i < snap.n_bufs; ++i)
    data.append(static_cast<const char*>(snap.bufs[i].base), snap.bufs[i].len);
  return out;
}

void free_raft_snapshot(raft_snapshot* snap) {
  if (!snap) return;
  raft_configuration_close(&snap->configuration);
  for (unsigned i = 0; i < snap->n_bufs; ++i) raft_free(snap->bufs[i].base);
  raft_free(snap->bufs);
  raft_free(snap);
}

result<raft_snapshot*> to_raft_snapshot(const snapshot& stored) {
  const auto index = stored.metadata.index;
  reader in(stored.data);
  std::string_view magic;
  if (!in.take(kEnvelopeMagic.size(), magic) || magic != kEnvelopeMagic) return malformed(index, "no envelope header");
  auto* snap = static_cast<raft_snapshot*>(raft_calloc(1, sizeof(raft_snapshot)));
  if (!snap) return error(errc::io, "out of memory loading the snapshot at index " + std::to_string(index));
  snap->index = index;
  snap->term = stored.metadata.term;
  raft_configuration_init(&snap->configuration);
  std::uint32_t servers = 0;
  std::uint64_t configuration_index = 0;
  if (!in.u64(configuration_index) || !in.u32(servers)) {
    free_raft_snapshot(snap);
    return malformed(index, "truncated configuration");
  }
  snap->configuration_index = configuration_index;
  for (std::uint32_t i = 0; i < servers; ++i) {
    std::uint64_t id = 0;
    std::uint32_t role = 0, length = 0;
    std::string_view address;
    if (!in.u64(id) || !in.u32(role) || !in.u32(length) || !in.take(length, address)) {
      free_raft_snapshot(snap);
      return malformed(index, "truncated server " + std::to_string(i));
    }
    const std::string text(address);
    if (raft_configuration_add(&snap->configuration, id, text.c_str(), static_cast<int>(role)) != 0) {
      free_raft_snapshot(snap);
      return malformed(index, "server " + std::to_string(id) + " is not a valid member");
    }
  }
  const auto fsm = in.rest();
  snap->bufs = static_cast<raft_buffer*>(raft_calloc(1, sizeof(raft_buffer)));
  void* base = raft_malloc(fsm.size() > 0 ? fsm.size() : 1);
  if (!snap->bufs || !base) {
    raft_free(base);
    free_raft_snapshot(snap);
    return error(errc::io, "out of memory loading the snapshot at index " + std::to_string(index));
  }
  std::memcpy(base, fsm.data(), fsm.size());
  snap->bufs[0] = {base, fsm.size()};
  snap->n_bufs = 1;
  return snap;
}

}  // namespace raftvault::raftio
