#include "codec/nonce_reservoir.h"

#include <sodium.h>
#include <sys/mman.h>

#include <cstdint>
#include <cstring>

#include "codec/cipher.h"

namespace raftvault::codec {
namespace {

constexpr std::size_t kPageBytes = 4096;

// One page: the count of unused bytes and the bytes. A wiped page (after fork) reads `left`
// 0, so the child refills before its first use.
struct reservoir_page {
  std::uint32_t left;
  unsigned char bytes[kPageBytes - 64];
};
static_assert(sizeof(reservoir_page) <= kPageBytes);
constexpr std::size_t kCapacity = sizeof(reservoir_page::bytes);

class reservoir {
 public:
  reservoir() {
    void* p = mmap(nullptr, kPageBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return;
    if (madvise(p, kPageBytes, MADV_WIPEONFORK) != 0) {  // no fork safety: no reservoir
      munmap(p, kPageBytes);
      return;
    }
    page_ = static_cast<reservoir_page*>(p);  // zero-filled: left = 0
  }
  ~reservoir() {
    if (page_ == nullptr) return;
    sodium_memzero(page_, kPageBytes);
    munmap(page_, kPageBytes);
  }
  reservoir(const reservoir&) = delete;
  reservoir& operator=(const reservoir&) = delete;

  void take(unsigned char* out, std::size_t n) {
    if (page_ == nullptr || n > kCapacity / 2) return randombytes_buf(out, n);
    if (page_->left < n) {
      randombytes_buf(page_->bytes, kCapacity);
      page_->left = static_cast<std::uint32_t>(kCapacity);
    }
    unsigned char* from = page_->bytes + (kCapacity - page_->left);
    std::memcpy(out, from, n);
    sodium_memzero(from, n);  // handed out: not kept
    page_->left -= static_cast<std::uint32_t>(n);
  }

 private:
  reservoir_page* page_ = nullptr;
};

}  // namespace

status random_nonce_bytes(unsigned char* out, std::size_t n) {
  if (!ensure_sodium()) return error(errc::io, "libsodium failed to initialise");
  thread_local reservoir mine;
  mine.take(out, n);
  return {};
}

}  // namespace raftvault::codec
