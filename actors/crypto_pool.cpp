#include "actors/crypto_pool.h"

#include <caf/actor_system.hpp>

#include "codec/crc32c.h"

namespace raftvault::actors {

crypto_worker_actor::behavior_type crypto_worker(std::size_t) {
  return {
      [](seal_atom, const codec_ptr& codec,
         const std::vector<entry>& plain) -> caf::result<sealed_entries> {
        auto sealed = codec->seal_entries(plain);
        if (!sealed) return to_caf(sealed.error());
        sealed_entries out;
        out.entries = std::move(*sealed);
        out.data_crcs.reserve(out.entries.size());
        for (const auto& e : out.entries) out.data_crcs.push_back(codec::crc32c_update(0, e.data));
        return out;
      },
  };
}

std::vector<crypto_worker_actor> spawn_crypto_pool(caf::actor_system& system, std::size_t workers) {
  std::vector<crypto_worker_actor> pool;
  for (std::size_t i = 0; i < workers; ++i) pool.push_back(system.spawn(crypto_worker, i));
  return pool;
}

}  // namespace raftvault::actors
