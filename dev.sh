#!/usr/bin/env bash
# raftvault's single entry point. Every subcommand is idempotent and works from a fresh clone.
#   ./dev.sh deps    install missing Debian packages (root) or print the apt-get command
#   ./dev.sh build   configure + build into build/ (binaries in build/bin/)
#   ./dev.sh test    deps + build + the whole test suite
#   ./dev.sh demo    deps + build + the end-to-end demo on a temporary data directory
#   ./dev.sh bench   deps + build + the benchmark suite (bench/README.md)
#   ./dev.sh asan    deps + ASan+UBSan build into build-asan/ + the whole test suite
#   ./dev.sh soak    deps + build + every fault campaign in its long form (reliability/README.md)
#                    into reliability-results/ (one table per campaign + totals.txt)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

PACKAGES=(cmake g++ ninja-build pkg-config libcaf-dev catch2 libsodium-dev libprotobuf-dev
          protobuf-compiler libboost-filesystem-dev libssl-dev openssl)
JOBS=$(nproc 2>/dev/null || echo 2)

deps() {
  local missing=()
  for pkg in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
      || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -eq 0 ]; then
    echo "dev.sh: installing ${missing[*]}" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  else
    echo "dev.sh: missing packages; run:" >&2
    echo "  sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
}

configure_and_build() {  # build_dir, extra cmake args...
  local dir=$1; shift
  cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRAFTVAULT_WERROR=ON "$@" >/dev/null
  cmake --build "$dir" -j "$JOBS"
}

run_tests() {  # build_dir
  ctest --test-dir "$1" --output-on-failure -j "$JOBS" --timeout 600
}

cmd=${1:-}
shift || true
case "$cmd" in
  deps) deps ;;
  build) configure_and_build build ;;
  test) deps; configure_and_build build; run_tests build ;;
  demo) deps; configure_and_build build; exec build/bin/raftvault demo "$@" ;;
  bench) deps; configure_and_build build; exec bench/run-suite.sh build/bin/raftvault-bench "$@" ;;
  soak)
    deps
    configure_and_build build
    exec build/bin/raftvault-campaign all --long --out reliability-results "$@"
    ;;
  asan)
    deps
    configure_and_build build-asan -DRAFTVAULT_SANITIZE=ON
    export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
    export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
    run_tests build-asan
    ;;
  *)
    sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
    ;;
esac
