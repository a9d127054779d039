// The per-thread nonce reservoir: every byte handed out once, per thread and across fork().
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <set>
#include <thread>
#include <vector>

#include "codec/nonce_reservoir.h"

using raftvault::codec::random_nonce_bytes;

namespace {

using nonce = std::array<unsigned char, 24>;

nonce draw() {
  nonce n{};
  REQUIRE(random_nonce_bytes(n.data(), n.size()));
  return n;
}

}  // namespace

TEST_CASE("nonce reservoir: 20,000 draws on one thread are all distinct", "[codec][nonce]") {
  std::set<nonce> seen;
  for (int i = 0; i < 20'000; ++i) CHECK(seen.insert(draw()).second);
  CHECK(seen.count(nonce{}) == 0);  // a consumed (wiped) byte is never handed out again
}

TEST_CASE("nonce reservoir: two threads never hand out the same bytes", "[codec][nonce]") {
  std::vector<nonce> a, b;
  std::thread other([&] {
    for (int i = 0; i < 2'000; ++i) {
      nonce n{};
      if (random_nonce_bytes(n.data(), n.size())) b.push_back(n);
    }
  });
  for (int i = 0; i < 2'000; ++i) a.push_back(draw());
  other.join();
  REQUIRE(b.size() == 2'000);
  std::set<nonce> all(a.begin(), a.end());
  for (const auto& n : b) CHECK(all.insert(n).second);
}

TEST_CASE("nonce reservoir: a forked child draws its own bytes, not its parent's next ones",
          "[codec][nonce]") {
  (void)draw();  // the reservoir is full now, and the fork copies it
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    nonce n{};
    const bool ok = static_cast<bool>(random_nonce_bytes(n.data(), n.size()));
    const auto written = ok ? write(fds[1], n.data(), n.size()) : 0;
    _exit(written == static_cast<ssize_t>(n.size()) ? 0 : 1);
  }
  close(fds[1]);
  const nonce parent_next = draw();
  nonce from_child{};
  REQUIRE(read(fds[0], from_child.data(), from_child.size()) == static_cast<ssize_t>(from_child.size()));
  close(fds[0]);
  int wstatus = 0;
  REQUIRE(waitpid(child, &wstatus, 0) == child);
  REQUIRE(WIFEXITED(wstatus));
  REQUIRE(WEXITSTATUS(wstatus) == 0);
  CHECK(from_child != parent_next);
}

TEST_CASE("nonce reservoir: draws larger than the reservoir come straight from the CSPRNG",
          "[codec][nonce]") {
  std::vector<unsigned char> big(64 << 10), again(64 << 10);
  REQUIRE(random_nonce_bytes(big.data(), big.size()));
  REQUIRE(random_nonce_bytes(again.data(), again.size()));
  CHECK(big != again);
  CHECK(draw() != draw());
}
