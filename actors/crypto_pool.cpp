#include "actors/crypto_pool.h"

#include <caf/actor_system.hpp>

namespace raftvault::actors {

crypto_worker_actor::behavior_type crypto_worker(std::size_t) {
  return {
      [](seal_atom, const codec_ptr& codec,
         const std::vector<entry>& plain) -> caf::result<std::vector<entry>> {
        auto sealed = codec->seal_entries(plain);
        if (!sealed) return to_caf(sealed.error());
        return std::move(*sealed);
      },
  };
}

std::vector<crypto_worker_actor> spawn_crypto_pool(caf::actor_system& system, std::size_t workers) {
  std::vector<crypto_worker_actor> pool;
  for (std::size_t i = 0; i < workers; ++i) pool.push_back(system.spawn(crypto_worker, i));
  return pool;
}

}  // namespace raftvault::actors
