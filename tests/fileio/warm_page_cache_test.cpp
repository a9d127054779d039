// file::warm_page_cache: the preallocated range ends up resident in the page cache (checked with
// mincore on a mapping), the file's size and bytes are unchanged, and a range past the end is
// not an error.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <vector>

#include "fileio/file.h"
#include "support/test_support.h"

using namespace raftvault;
using namespace raftvault::testing;

namespace {

// How many pages of [0, length) are in the page cache.
std::size_t resident_pages(const fileio::file& f, std::size_t length) {
  const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  void* map = ::mmap(nullptr, length, PROT_READ, MAP_SHARED, f.fd(), 0);
  REQUIRE(map != MAP_FAILED);
  std::vector<unsigned char> residency((length + page - 1) / page);
  REQUIRE(::mincore(map, length, residency.data()) == 0);
  ::munmap(map, length);
  std::size_t resident = 0;
  for (unsigned char r : residency) resident += r & 1u;
  return resident;
}

}  // namespace

TEST_CASE("warm_page_cache makes a preallocated range resident without changing the file",
          "[file][cache]") {
  temp_dir tmp;
  constexpr std::size_t kLength = 8 << 20;
  auto opened = fileio::file::open(tmp / "spare", O_RDWR | O_CREAT);
  REQUIRE(opened);
  auto& f = *opened;
  REQUIRE(f.preallocate(0, kLength));
  REQUIRE(f.pwrite_all("head", 4, 0));
  REQUIRE(f.fdatasync());  // clean pages can be dropped
  REQUIRE(::posix_fadvise(f.fd(), 0, kLength, POSIX_FADV_DONTNEED) == 0);
  const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  REQUIRE(resident_pages(f, kLength) < kLength / page / 2);

  REQUIRE(f.warm_page_cache(0, kLength));
  CHECK(resident_pages(f, kLength) == kLength / page);
  CHECK(*f.size() == kLength);
  char head[4];
  REQUIRE(f.pread_exact(head, 4, 0));
  CHECK(std::string(head, 4) == "head");

  // Past the end: nothing to read, not an error.
  CHECK(f.warm_page_cache(kLength - 100, 1 << 20));
}
