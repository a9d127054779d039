// An embedder that builds with `pkg-config --cflags --libs raftvault` alone
// (examples/embed/check.sh): opening a directory that holds no store, without
// create-if-missing, is refused with a reason.
#include <raftvault/raftvault.h>

#include <cstdio>

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  raftvault::actors::pipeline_options options;
  options.data_dir = argv[1];
  auto storage = raftvault::actors::blocking_storage::open(options);
  if (storage) return 1;
  std::printf("pkg-config consumer: refused as expected: %s\n", storage.error().describe().c_str());
  return 0;
}
