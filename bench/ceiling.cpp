#include "bench/ceiling.h"

#include <time.h>

#include <algorithm>
#include <thread>

#include "bench/bench_codec.h"
#include "bench/payload.h"
#include "codec/crc32c.h"
#include "fileio/file.h"

namespace raftvault::bench {
namespace {

using clock_type = std::chrono::steady_clock;

double thread_cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
}

// Runs `step` (which returns the bytes it processed) until `seconds` of this thread's CPU
// time passed -> MB/s per core.
template <class Step>
result<double> per_core_rate(double seconds, Step step) {
  double bytes = 0;
  const double start = thread_cpu_seconds();
  double used = 0;
  do {
    RV_ASSIGN(const std::uint64_t done, step());
    bytes += static_cast<double>(done);
    used = thread_cpu_seconds() - start;
  } while (used < seconds);
  return mb_per_sec(bytes, used);
}

std::string mode_key(raw_io io) { return std::string("ceiling_") + to_string(io); }

}  // namespace

result<cipher_ceiling> measure_cipher_ceiling(cipher_choice c, std::uint64_t entry_size, double seconds) {
  RV_ASSIGN(auto codec, make_bench_codec(c));
  constexpr std::size_t kBatch = 64;
  std::vector<entry> plain(kBatch);
  for (std::size_t i = 0; i < kBatch; ++i) plain[i] = {1, i + 1, entry_type::normal, make_payload(entry_size, i + 1)};
  const std::uint64_t batch_bytes = kBatch * entry_size;
  RV_ASSIGN(auto sealed, codec->seal_entries(plain));  // also warms libsodium up
  cipher_ceiling out;
  out.cipher = c;
  RV_ASSIGN(out.seal_mb_per_sec, per_core_rate(seconds / 2, [&]() -> result<std::uint64_t> {
    RV_TRY(codec->seal_entries(plain));
    return batch_bytes;
  }));
  RV_ASSIGN(out.open_mb_per_sec, per_core_rate(seconds / 2, [&]() -> result<std::uint64_t> {
    for (const auto& e : sealed) RV_TRY(codec->open_entry(e));
    return batch_bytes;
  }));
  return out;
}

double fraction_of(double value, double ceiling) { return ceiling > 0 ? value / ceiling : 0; }
double mb_per_sec(double bytes, double seconds) { return seconds > 0 ? bytes / seconds / 1e6 : 0; }

const durable_write_ceiling* ceilings::best_durable() const {
  const durable_write_ceiling* best = nullptr;
  for (const auto& d : durable)
    if (d.run.blocks > 0 &&
        (best == nullptr || d.run.write_and_sync.percentile(50) < best->run.write_and_sync.percentile(50)))
      best = &d;
  return best;
}

const durable_write_ceiling* ceilings::durable_mode(raw_io io) const {
  for (const auto& d : durable)
    if (d.io == io) return &d;
  return nullptr;
}

const cipher_ceiling* ceilings::cipher(cipher_choice c) const {
  for (const auto& x : ciphers)
    if (x.cipher == c) return &x;
  return nullptr;
}

result<ceilings> measure_ceilings(scratch_dir& scratch, const ceiling_plan& plan) {
  ceilings out;
  out.plan = plan;
  out.cores = std::max(1u, std::thread::hardware_concurrency());
  const auto budget = std::chrono::duration_cast<clock_type::duration>(
      std::chrono::duration<double>(plan.seconds_each));
  if (plan.disk) {
    const std::uint64_t max_blocks = std::clamp<std::uint64_t>((256ull << 20) / plan.block, 64, 8192);
    for (raw_io io : {raw_io::buffered, raw_io::direct, raw_io::dsync, raw_io::rwf_dsync,
                      raw_io::direct_rwf_dsync}) {
      const std::string name = std::string("raftvault-ceiling-") + to_string(io) + ".dat";
      auto run = measure_raw_disk(scratch, name, io, plan.block, max_blocks, budget, 16);
      (void)fileio::unlink(scratch.path() + "/" + name);
      if (run) out.durable.push_back({io, std::move(run).value()});
      else out.unsupported.push_back(std::string(to_string(io)) + ": " + run.error().describe());
    }
    const std::string name = "raftvault-ceiling-sequential.dat";
    auto sequential = measure_raw_disk(scratch, name, raw_io::buffered, plan.sequential_block,
                                       std::clamp<std::uint64_t>((512ull << 20) / plan.sequential_block, 8, 4096),
                                       budget, 4);
    (void)fileio::unlink(scratch.path() + "/" + name);
    if (!sequential) return sequential.error();
    out.sequential = std::move(sequential).value();
  }
  if (plan.cpu) {
    for (cipher_choice c : {cipher_choice::xchacha20poly1305, cipher_choice::secretbox}) {
      RV_ASSIGN(auto measured, measure_cipher_ceiling(c, plan.seal_size, plan.seconds_each));
      out.ciphers.push_back(measured);
    }
    const std::string buffer = make_payload(1 << 20);
    std::uint32_t crc = 0;  // chained, so no call can be skipped
    RV_ASSIGN(out.crc32c_mb_per_sec, per_core_rate(plan.seconds_each / 2, [&]() -> result<std::uint64_t> {
      crc = codec::crc32c_update(crc, buffer);
      return buffer.size();
    }));
  }
  return out;
}

void add_ceilings(report& rep, const ceilings& c) {
  rep.add_json("ceiling_block", c.plan.block).add_json("ceiling_cores", std::uint64_t{c.cores});
  for (const auto& d : c.durable) {
    const std::string key = mode_key(d.io);
    const std::string label = std::string("ceiling: ") + to_string(d.io);
    rep.add(key + "_p50_us", label + " p50", to_micros(d.run.write_and_sync.percentile(50)), 1, "us")
        .add(key + "_p99_us", label + " p99", to_micros(d.run.write_and_sync.percentile(99)), 1, "us")
        .add_json(key + "_p999_us", to_micros(d.run.write_and_sync.percentile(99.9)), 1)
        .add_json(key + "_max_us", to_micros(d.run.write_and_sync.max()), 1)
        .add_json(key + "_writes", d.run.blocks);
  }
  if (!c.unsupported.empty()) {
    std::string joined;
    for (const auto& why : c.unsupported) joined += (joined.empty() ? "" : "; ") + why;
    rep.add_json("ceiling_unsupported", joined);
  }
  if (const auto* best = c.best_durable()) {
    rep.add_json("ceiling_best_durable_mode", to_string(best->io))
        .add("ceiling_best_durable_p50_us", std::string("ceiling: best durable write p50 (") + to_string(best->io) + ")",
             to_micros(best->run.write_and_sync.percentile(50)), 1, "us");
  }
  if (c.sequential) {
    rep.add("ceiling_sequential_mb_per_sec", "ceiling: sequential write (1 MiB + fdatasync)",
            c.sequential->mb_per_sec(), 1, "MB/s");
  }
  for (const auto& x : c.ciphers) {
    const std::string key = "ceiling_" + to_string(x.cipher);
    rep.add(key + "_seal_mb_per_sec", "ceiling: " + to_string(x.cipher) + " seal, 1 core", x.seal_mb_per_sec, 1, "MB/s")
        .add(key + "_open_mb_per_sec", "ceiling: " + to_string(x.cipher) + " open, 1 core", x.open_mb_per_sec, 1, "MB/s");
  }
  if (c.plan.cpu) rep.add("ceiling_crc32c_mb_per_sec", "ceiling: CRC-32C, 1 core", c.crc32c_mb_per_sec, 1, "MB/s");
}

}  // namespace raftvault::bench
