// The append path of the storage facade (see storage.h for the contract); its snapshot jobs
// and segment release are storage_snapshots.cpp.
#include "actors/storage_state.h"

#include <algorithm>
#include <iterator>

namespace raftvault::actors {
namespace {

// `behind`: batches admitted after these, still being sealed (handover_hints).
void send_to_wal(storage_pointer self, std::vector<storage_state::batch> batches,
                 std::uint64_t behind) {
  std::vector<wal_append> appends;
  appends.reserve(batches.size());
  for (auto& b : batches) {
    if (!b.state.empty()) {
      // Not below the commit of a snapshot record's covering state handed before: a batch
      // accepted ahead of the snapshot can reach the WAL after its record, and etcd's restart
      // ignores a snapshot beyond the last hard state's commit (whose older segments are gone).
      b.state.commit = std::max(b.state.commit, self->state.handed_state.commit);
      self->state.handed_state = b.state;
    }
    appends.push_back({std::move(b.state), std::move(b.entries), std::move(b.data_crcs)});
  }
  // Only what the answer needs travels on: the promises, the sequence number and the bytes.
  std::vector<caf::typed_response_promise<std::uint64_t>> promises;
  promises.reserve(batches.size());
  std::uint64_t bytes = 0;
  for (auto& b : batches) {
    promises.push_back(std::move(b.promise));
    bytes += b.bytes;
  }
  const auto last_seq = batches.back().seq;
  const auto count = batches.size();
  const handover_hints hints{behind, self->state.inflight_bytes,
                             self->state.groups.group_appends()};
  self->request(self->state.wal, caf::infinite, append_atom::value, std::move(appends), hints)
      .then(
          [self, last_seq, bytes, count, promises](wal_ack ack) mutable {
            auto& st = self->state;
            st.groups.answered(st.now(), count, ack.disk_us, ack.idle_us);
            const auto durable_index = ack.last_index;
            st.inflight_bytes -= bytes;
            st.inflight_appends -= count;
            st.durable_seq = last_seq;
            for (auto& promise : promises) promise.deliver(durable_index);
            release_barriers(self);
            pump(self);
            maybe_close(self);
          },
          [self, bytes, count, promises](caf::error& err) mutable {
            self->state.inflight_bytes -= bytes;
            self->state.inflight_appends -= count;
            for (auto& promise : promises) promise.deliver(err);
            fail_all(self, from_caf(err));
          });
}

void seal_piece(storage_pointer self, std::uint64_t seq, std::size_t piece, const codec_ptr& codec,
                std::vector<entry> plain) {
  auto& st = self->state;
  auto worker = st.pool[st.next_worker++ % st.pool.size()];
  self->request(worker, caf::infinite, seal_atom::value, codec, std::move(plain))
      .then(
          [self, seq, piece](sealed_entries& sealed) {
            auto it = self->state.sealing.find(seq);
            if (it == self->state.sealing.end()) return;  // failed meanwhile
            auto& b = it->second;
            b.pieces[piece] = std::move(sealed);
            if (--b.pieces_pending > 0) return;
            for (auto& part : b.pieces) {
              b.entries.insert(b.entries.end(), std::make_move_iterator(part.entries.begin()),
                               std::make_move_iterator(part.entries.end()));
              b.data_crcs.insert(b.data_crcs.end(), part.data_crcs.begin(), part.data_crcs.end());
            }
            b.pieces.clear();
            b.sealed = true;
            pump(self);
          },
          [self](caf::error& err) {
            fail_all(self, from_caf(err).with_context("sealing a batch failed; nothing of it written"));
          });
}

// How many pieces a batch sealed on the pool goes out in: one per worker (so one batch alone
// is sealed by all of them, and the WAL writer can start on it sooner), none smaller than
// crypto-inline-bytes (a hop costs more than sealing that much here), at most one per entry.
std::size_t piece_count(const storage_state& st, const storage_state::batch& b) {
  std::size_t pieces = st.pool.size();
  if (st.options.crypto_inline_bytes > 0)
    pieces = static_cast<std::size_t>(
        std::min<std::uint64_t>(pieces, b.bytes / st.options.crypto_inline_bytes));
  return std::clamp<std::size_t>(pieces, 1, std::max<std::size_t>(b.entries.size(), 1));
}

// Splits `plain` into `pieces` contiguous runs of about equal bytes and sends each to a worker.
void seal_on_pool(storage_pointer self, storage_state::batch b) {
  auto& st = self->state;
  const auto seq = b.seq;
  const auto pieces = piece_count(st, b);
  auto plain = std::move(b.entries);
  b.entries.clear();
  b.pieces.resize(pieces);
  b.pieces_pending = pieces;
  const auto codec = b.codec;
  const auto total = b.bytes;
  st.sealing.emplace(seq, std::move(b));
  std::size_t begin = 0;
  std::uint64_t bytes = 0;
  for (std::size_t piece = 0; piece < pieces; ++piece) {
    // The last piece takes the rest; the others end once their share of the bytes is reached
    // (leaving at least one entry for each piece after them).
    std::size_t end = plain.size();
    if (piece + 1 < pieces) {
      end = begin;
      const auto share = total * (piece + 1) / pieces;
      while (end < plain.size() - (pieces - piece - 1) && (end == begin || bytes < share))
        bytes += plain[end++].data.size() + 32;
    }
    std::vector<entry> part(std::make_move_iterator(plain.begin() + static_cast<std::ptrdiff_t>(begin)),
                            std::make_move_iterator(plain.begin() + static_cast<std::ptrdiff_t>(end)));
    begin = end;
    seal_piece(self, seq, piece, codec, std::move(part));
  }
}

void admit(storage_pointer self, storage_state::batch b) {
  auto& st = self->state;
  st.inflight_bytes += b.bytes;
  st.groups.admitted(++st.inflight_appends);
  const auto seq = b.seq;
  if (!b.codec->encrypted() || b.bytes <= st.options.crypto_inline_bytes || st.pool.empty()) {
    // Small batches: a hop to a worker would cost more than sealing them here.
    if (b.codec->encrypted()) {
      auto sealed = b.codec->seal_entries(b.entries);
      if (!sealed) {
        st.inflight_bytes -= b.bytes;
        --st.inflight_appends;
        b.promise.deliver(to_caf(sealed.error()));
        fail_all(self, sealed.error().with_context("sealing a batch failed; nothing of it written"));
        return;
      }
      b.entries = std::move(*sealed);
    }
    b.sealed = true;
    st.sealing.emplace(seq, std::move(b));
    return;
  }
  seal_on_pool(self, std::move(b));
}

}  // namespace

void pump(storage_pointer self) {
  auto& st = self->state;
  if (st.failure && st.failure->code() != errc::closed) return;
  // Always admit one batch when nothing is in flight, however large: progress over budget.
  while (!st.waiting.empty() && (st.inflight_bytes == 0 ||
                                 st.inflight_bytes + st.waiting.front().bytes <= st.options.max_inflight_bytes)) {
    auto b = std::move(st.waiting.front());
    st.waiting.pop_front();
    admit(self, std::move(b));
    if (st.failure && st.failure->code() != errc::closed) return;
  }
  auto next = st.sealing.find(st.next_write_seq);
  if (next != st.sealing.end() && next->second.sealed && !st.handover_pending) {
    st.handover_pending = true;
    self->send(self, handover_atom::value);
  }
}

void hand_over(storage_pointer self) {
  auto& st = self->state;
  st.handover_pending = false;
  if (st.failure && st.failure->code() != errc::closed) return;
  std::vector<storage_state::batch> batches;
  std::uint64_t bytes = 0;
  for (auto it = st.sealing.find(st.next_write_seq); it != st.sealing.end() && it->second.sealed;
       it = st.sealing.find(st.next_write_seq)) {
    // A message holds up to group-commit-bytes, and with half groups a quarter of the appends
    // in a cycle (at least one batch either way): the WAL writer takes whole messages, so a
    // message must not be larger than what it may put in one group.
    const bool bytes_full = st.options.group_commit_bytes > 0 &&
                            bytes + it->second.bytes > st.options.group_commit_bytes;
    if (!batches.empty() && (bytes_full || batches.size() >= st.groups.handover_appends())) {
      send_to_wal(self, std::move(batches), st.sealing.size());
      batches.clear();
      bytes = 0;
    }
    bytes += it->second.bytes;
    batches.push_back(std::move(it->second));
    st.sealing.erase(it);
    ++st.next_write_seq;
  }
  if (!batches.empty()) send_to_wal(self, std::move(batches), st.sealing.size());
}

void release_barriers(storage_pointer self) {
  auto& st = self->state;
  while (!st.barriers.empty() && st.barriers.front().seq <= st.durable_seq) {
    st.barriers.front().promise.deliver(st.barriers.front().report);
    st.barriers.pop_front();
  }
}

void fail_all(storage_pointer self, const raftvault::error& err) {
  auto& st = self->state;
  if (!st.failure) st.failure = err;
  const auto reply = to_caf(*st.failure);
  // Batches announced to the WAL writer as coming behind the last one handed to it never will:
  // it syncs what it wrote (those requesters were handed over and are answered by it).
  if (!st.sealing.empty()) self->send(st.wal, no_behind_atom::value);
  for (auto& b : st.waiting) b.promise.deliver(reply);
  st.waiting.clear();
  for (auto& [seq, b] : st.sealing) b.promise.deliver(reply);
  st.sealing.clear();
  for (auto& b : st.barriers) b.promise.deliver(reply);
  st.barriers.clear();
  for (auto& job : st.snapshots) job.promise.deliver(reply);
  st.snapshots.clear();
  if (st.closing) {
    st.closing->deliver(reply);
    st.closing.reset();
  }
}

void maybe_close(storage_pointer self) {
  auto& st = self->state;
  if (!st.closing || st.inflight_bytes > 0 || !st.waiting.empty() || !st.sealing.empty() ||
      !st.snapshots.empty() || st.answers_pending > 0)
    return;
  auto promise = *st.closing;
  st.closing.reset();
  // Refuse every request from now on: one accepted now would reach the WAL writer after its
  // close, and the answer this actor after it quit (CAF drops that promise undelivered).
  st.failure = raftvault::error(errc::closed, "the store is closed");
  self->request(st.wal, caf::infinite, close_atom::value)
      .then([self, promise](bool) mutable {
              promise.deliver(true);
              // Not exit_reason::normal: that would leave linked helpers running (a pending
              // rotation retry timer keeps the rotator alive otherwise).
              self->quit(caf::exit_reason::user_shutdown);
            },
            [self, promise](caf::error& err) mutable {
              promise.deliver(err);
              self->quit(caf::exit_reason::user_shutdown);
            });
}

}  // namespace raftvault::actors
