#!/usr/bin/env bash
# raftvault's single entry point. Every subcommand is idempotent and works from a fresh clone.
#   ./dev.sh deps    install missing Debian packages (root) or print the apt-get command
#   ./dev.sh build   configure + build into build/ (binaries in build/bin/)
#   ./dev.sh test    deps + build + the whole test suite + the installed package's check
#                    (examples/embed/check.sh: install, build and run examples/embed against it)
#   ./dev.sh demo    deps + build + the end-to-end demo on a temporary data directory
#   ./dev.sh bench   deps + build + `raftvault-bench all` into bench-results/ (all.txt, all.json,
#                    rotation.csv, and rotation.png when gnuplot is installed) with a PASS/MISS
#                    line per target (bench/README.md); extra arguments go to `all`
#   ./dev.sh asan    deps + ASan+UBSan build into build-asan/ + the whole test suite
#   ./dev.sh soak    deps + build + every fault campaign in its long form (reliability/README.md)
#                    into reliability-results/ (one table per campaign + totals.txt), then
#                    every fuzz target for SOAK_FUZZ_SECONDS (default 120; fuzz/README.md)
#   ./dev.sh fuzz [SECONDS | --runs N] [TARGET...]
#                    deps + clang + libFuzzer build into build-fuzz/ + each fuzz target for
#                    SECONDS (default 30) or N executions (fuzz/README.md)
#   ./dev.sh coverage  deps + gcovr + a --coverage build into build-coverage/ + the whole test
#                    suite; line and branch coverage per folder against its target, into
#                    reliability-results/coverage.txt (and coverage-html/)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

PACKAGES=(cmake g++ ninja-build pkg-config libcaf-dev catch2 libsodium-dev libprotobuf-dev
          protobuf-compiler libboost-filesystem-dev libssl-dev openssl libraft-dev libuv1-dev)
# Only `fuzz` needs these: clang, its sanitizer and libFuzzer runtimes, llvm-symbolizer.
FUZZ_PACKAGES=(clang-14 libclang-rt-14-dev llvm-14)
JOBS=$(nproc 2>/dev/null || echo 2)

deps() {  # packages... (default: PACKAGES)
  local missing=()
  [ $# -gt 0 ] || set -- "${PACKAGES[@]}"
  for pkg in "$@"; do
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

# raftvault-bench all into bench-results/, and the rotation run's time series as a plot.
run_bench() {  # extra arguments of `all`...
  local out=bench-results
  mkdir -p "$out"
  build/bin/raftvault-bench all --json "$out/all.json" --csv "$out/rotation.csv" "$@" | tee "$out/all.txt"
  if command -v gnuplot >/dev/null; then
    gnuplot -e "csv='$out/rotation.csv'; png='$out/rotation.png'" bench/plot.gnuplot
    echo "dev.sh: results in $out/ (all.txt, all.json, rotation.csv, rotation.png)"
  else
    echo "dev.sh: results in $out/; no plot: gnuplot is not installed (apt-get install gnuplot-nox)" >&2
  fi
}

run_tests() {  # build_dir
  ctest --test-dir "$1" --output-on-failure -j "$JOBS" --timeout 600
}

# Line and branch coverage of each folder's library, from the .gcda files the test suite left
# in build-coverage/. Throw and unreachable branches are left out: every call that can throw
# has them, and no test can take them all.
COVERAGE_TARGETS="codec:90 fileio:90 keys:90 raftlog:90 actors:80 tools:80"
coverage_report() {
  local out=reliability-results
  mkdir -p "$out/coverage-html"
  local filters=()
  for target in $COVERAGE_TARGETS; do filters+=(--filter "${target%%:*}/"); done
  gcovr --root . --object-directory build-coverage "${filters[@]}" -j "$JOBS" \
        --exclude-throw-branches --exclude-unreachable-branches \
        --json-summary build-coverage/coverage-summary.json \
        --html-details "$out/coverage-html/index.html"
  python3 - build-coverage/coverage-summary.json "$COVERAGE_TARGETS" <<'PY' | tee "$out/coverage.txt"
import json, sys
files = json.load(open(sys.argv[1]))["files"]
targets = [t.split(":") for t in sys.argv[2].split()]
def pct(done, total): return 100.0 * done / total if total else 100.0
print(f"{'folder':10} {'lines':>8} {'branches':>9}  target (lines)")
weak = []
for folder, goal in targets:
    mine = [f for f in files if f["filename"].startswith(folder + "/")]
    if not mine:
        print(f"{folder + '/':10} {'no data':>8}")
        continue
    lines = pct(sum(f["line_covered"] for f in mine), sum(f["line_total"] for f in mine))
    branches = pct(sum(f["branch_covered"] for f in mine), sum(f["branch_total"] for f in mine))
    below = lines < float(goal)
    print(f"{folder + '/':10} {lines:7.1f}% {branches:8.1f}%  >= {goal}%{'  BELOW TARGET' if below else ''}")
    if below:
        worst = sorted(mine, key=lambda f: pct(f["line_covered"], f["line_total"]))[:6]
        weak += [f"  {f['filename']}: {pct(f['line_covered'], f['line_total']):.1f}% of {f['line_total']} lines"
                 for f in worst]
if weak:
    print("\nleast covered files of the folders below target:")
    print("\n".join(weak))
PY
}

cmd=${1:-}
shift || true
case "$cmd" in
  deps) deps ;;
  build) configure_and_build build ;;
  test) deps; configure_and_build build; run_tests build; examples/embed/check.sh build ;;
  demo) deps; configure_and_build build; exec build/bin/raftvault demo "$@" ;;
  bench) deps; configure_and_build build; run_bench "$@" ;;
  soak)
    deps "${PACKAGES[@]}" "${FUZZ_PACKAGES[@]}"
    configure_and_build build
    soak_status=0
    build/bin/raftvault-campaign all --long --out reliability-results "$@" || soak_status=$?
    "$0" fuzz "${SOAK_FUZZ_SECONDS:-120}" 2>&1 | tee reliability-results/fuzz.txt \
      || soak_status=1
    exit "$soak_status"
    ;;
  coverage)
    deps "${PACKAGES[@]}" gcovr
    configure_and_build build-coverage -DCMAKE_BUILD_TYPE=Debug \
      "-DCMAKE_CXX_FLAGS=--coverage -DRAFTVAULT_COVERAGE" \
      -DCMAKE_C_FLAGS=--coverage -DCMAKE_EXE_LINKER_FLAGS=--coverage
    find build-coverage -name '*.gcda' -delete  # counts from this run only
    tests_status=0
    run_tests build-coverage || tests_status=$?  # a report of a failing suite still helps
    coverage_report
    exit "$tests_status"
    ;;
  asan)
    deps
    # The suite does not run the campaigns' program; CI runs them from build/.
    configure_and_build build-asan -DRAFTVAULT_SANITIZE=ON -DRAFTVAULT_CAMPAIGNS=OFF
    export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
    export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
    run_tests build-asan
    ;;
  fuzz)
    deps "${PACKAGES[@]}" "${FUZZ_PACKAGES[@]}"
    CC=clang-14 CXX=clang++-14 cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DRAFTVAULT_WERROR=ON -DRAFTVAULT_FUZZ=ON >/dev/null
    cmake --build build-fuzz -j "$JOBS" --target fuzz_targets
    export PATH="/usr/lib/llvm-14/bin:$PATH"  # llvm-symbolizer, for readable crash stacks
    exec fuzz/run.sh build-fuzz "$@"
    ;;
  *)
    sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
    ;;
esac
