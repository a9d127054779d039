#include "actors/snapshot_writer.h"

#include "actors/thread_priority.h"

#include <chrono>

#include "codec/cipher.h"
#include "fileio/file.h"
#include "raftlog/segment_remover.h"

namespace raftvault::actors {
namespace {

// Key generation that sealed a stored snapshot's payload, 0 when not recorded/plaintext.
std::uint32_t sealing_generation(const snapshot& stored) {
  auto header = codec::inspect_record(stored.data);
  return header ? header->key_id : 0;
}

}  // namespace

snapshot_writer_actor::behavior_type snapshot_writer(snapshot_writer_actor::pointer self,
                                                     std::string snap_dir,
                                                     std::uint64_t segment_delete_rate,
                                                     std::uint64_t nice) {
  lower_this_thread_priority(nice);  // runs on the actor's own thread when detached
  auto snaps = std::make_shared<raftlog::snapshotter>(std::move(snap_dir));
  auto segments = std::make_shared<raftlog::segment_remover>(segment_delete_rate);
  // Giving back: whether a give_back step is on its way, and whether one failed (then the
  // steps stop until the next drop_segs retries that step and reports its outcome).
  struct give_back_state {
    bool scheduled = false;
    bool failed = false;
  };
  auto giving = std::make_shared<give_back_state>();
  auto schedule = [self, segments, giving](bool now) {
    if (giving->scheduled || giving->failed || !segments->giving_back()) return;
    giving->scheduled = true;
    const auto pause = std::chrono::duration_cast<std::chrono::microseconds>(segments->pause());
    if (now || pause.count() == 0) {
      self->send(self, give_back_atom::value);
    } else {
      self->delayed_send(self, pause, give_back_atom::value);
    }
  };
  return {
      [snaps](snapshot_atom, const snapshot& plain,
              const codec_ptr& codec) -> caf::result<snapshot_marker> {
        auto sealed = codec->seal_snapshot(plain);
        if (!sealed) return to_caf(sealed.error());
        if (auto saved = snaps->save(*sealed); !saved) return to_caf(saved.error());
        return plain.marker();
      },
      [snaps](gc_atom, std::uint64_t keep, snapshot_marker recorded) -> caf::result<bool> {
        if (auto collected = snaps->gc(keep, recorded); !collected)
          return to_caf(collected.error());
        return true;
      },
      [segments, giving, schedule](drop_segs_atom,
                                   std::vector<std::string>& paths) -> caf::result<std::uint64_t> {
        const auto handed = paths.size();
        status earlier;
        if (giving->failed) {  // retry the step that failed; the rest goes on paced
          earlier = segments->give_back_step();
          giving->failed = !earlier;
        }
        auto taken = segments->take_out(std::move(paths));
        // The first step waits a pause too: the release is part of a snapshot (a DEK
        // rotation's, often) whose last steps are still to come on this thread and the disk.
        schedule(/*now=*/false);
        if (!earlier) return to_caf(earlier.error());
        if (!taken) return to_caf(taken.error());
        return static_cast<std::uint64_t>(handed);
      },
      [segments, giving, schedule](give_back_atom) {
        giving->scheduled = false;
        if (auto step = segments->give_back_step(); !step) {
          giving->failed = true;
          return;
        }
        schedule(/*now=*/false);
      },
      [snaps](purge_atom, std::uint32_t retired,
              snapshot_marker keep) -> caf::result<std::uint64_t> {
        auto names = snaps->list();
        if (!names) return to_caf(names.error());
        std::uint64_t deleted = 0;
        for (const auto& name : *names) {
          auto stored = snaps->load_file(name);
          // A damaged file cannot be opened by any key; it is not ours to delete here.
          if (!stored || stored->metadata.index >= keep.index) continue;
          // Every generation up to the retired one: a crash between the key file's retire and
          // this purge leaves files of the generation retired before (0: no key id recorded).
          const auto generation = sealing_generation(*stored);
          if (generation == 0 || generation > retired) continue;
          if (auto removed = fileio::unlink(snaps->dir() + "/" + name); !removed)
            return to_caf(removed.error());
          ++deleted;
        }
        if (deleted > 0) {
          if (auto synced = fileio::fsync_dir(snaps->dir()); !synced) return to_caf(synced.error());
        }
        return deleted;
      },
  };
}

}  // namespace raftvault::actors
