// Helpers shared by the pipeline bench's two modes (pipeline_bench.cpp: one store;
// pipeline_alternate.cpp: an encrypted and a plaintext store in turns).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <utility>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>

#include "actors/storage.h"
#include "bench/bench_codec.h"
#include "bench/options.h"
#include "bench/raw_disk.h"
#include "bench/scratch_dir.h"
#include "codec/cipher.h"
#include "raftlog/payload_codec.h"

namespace raftvault::bench {

using clock_type = std::chrono::steady_clock;

inline double seconds_between(clock_type::time_point a, clock_type::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

// One blocking request to the storage facade (outside the measured path).
template <class T, class... Ts>
result<T> ask(caf::actor_system& system, const actors::storage_actor& storage, Ts&&... xs) {
  caf::scoped_actor self{system};
  std::optional<result<T>> out;
  self->request(storage, caf::infinite, std::forward<Ts>(xs)...)
      .receive([&](T& value) { out.emplace(std::move(value)); },
               [&](caf::error& err) { out.emplace(actors::from_caf(err)); });
  return std::move(*out);
}

// `--caf KEY=VALUE` settings over raftvault's defaults: true/false, integers, else strings.
inline void apply_caf_settings(caf::actor_system_config& config, const pipeline_options& o) {
  for (const auto& [key, text] : o.caf_settings) {
    if (text == "true" || text == "false") {
      config.set(key, text == "true");
    } else if (text.find_first_not_of("0123456789") == std::string::npos) {
      config.set(key, static_cast<caf::config_value::integer>(std::stoll(text)));
    } else {
      config.set(key, text);
    }
  }
}

// The WAL bytes of one append request: its sealed entries and its hard state, framed (the
// raw disk's block size).
result<std::uint64_t> append_record_bytes(const raftlog::payload_codec& codec,
                                          const pipeline_options& o);

// The disk alone (raw_disk.h) for about `budget`, into a file removed right after.
result<raw_disk_run> measure_disk(scratch_dir& scratch, const std::string& name, raw_io io,
                                  std::uint64_t block, clock_type::duration budget);

}  // namespace raftvault::bench
