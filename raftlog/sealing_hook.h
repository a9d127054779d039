// The encrypted log's entry-data hook (wal.h): seals each payload under the codec's sealing key
// into one reused buffer while the WAL frames the batch. Compared with seal_entries + save, a
// batch costs no string per entry, and each sealed record is still in cache when the WAL copies
// and checksums it. Used by one thread for one batch; keeps its codec (and so its key) alive.
#pragma once

#include <memory>
#include <string>

#include "codec/batch_sealer.h"
#include "raftlog/payload_codec.h"
#include "raftlog/wal.h"

namespace raftvault::raftlog {

class sealing_hook final : public entry_data_hook {
 public:
  // invalid_argument for a codec that cannot seal (plaintext, or open-only).
  static result<std::unique_ptr<sealing_hook>> make(std::shared_ptr<const payload_codec> codec,
                                                    std::size_t batch);

  result<std::string_view> data_for(const entry& e) override;
  bool failed() const { return failed_; }  // whether a data_for call failed

 private:
  sealing_hook(std::shared_ptr<const payload_codec> codec, codec::batch_sealer sealer)
      : codec_(std::move(codec)), sealer_(std::move(sealer)) {}

  std::shared_ptr<const payload_codec> codec_;
  codec::batch_sealer sealer_;
  std::string record_;
  bool failed_ = false;
};

}  // namespace raftvault::raftlog
