#!/usr/bin/env bash
# Runs the libFuzzer targets of a RAFTVAULT_FUZZ build one after the other (fuzz/README.md).
#   fuzz/run.sh BUILD_DIR [SECONDS | --runs N] [TARGET...]
# SECONDS (default 30) bounds each target's time; --runs N runs each to N executions instead.
# Each target starts from its checked-in seeds (fuzz/corpus/<target>, read only) plus what
# earlier runs found (BUILD_DIR/fuzz/corpus/<target>); a crash, leak, timeout or sanitizer
# report is saved under BUILD_DIR/fuzz/artifacts/<target>/ and fails the run. Prints one row
# per target: executions, executions per second, crashes.
set -euo pipefail

usage() {
  echo "usage: fuzz/run.sh BUILD_DIR [SECONDS | --runs N] [TARGET...]" >&2
  exit 2
}
[[ $# -ge 1 ]] || usage
build=$1
shift
limit=(-max_total_time=30)
if [[ $# -gt 0 && $1 == --runs ]]; then
  [[ $# -ge 2 && $2 =~ ^[0-9]+$ ]] || usage
  limit=(-runs="$2")
  shift 2
elif [[ $# -gt 0 && $1 =~ ^[0-9]+$ ]]; then
  limit=(-max_total_time="$1")
  shift
fi
seeds=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/corpus
targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
  for bin in "$build"/bin/fuzz_*; do
    [[ -x $bin ]] && targets+=("$(basename "$bin")")
  done
fi
[[ ${#targets[@]} -gt 0 ]] || { echo "fuzz/run.sh: no fuzz targets in $build/bin" >&2; exit 1; }

# UBSan is built to abort (-fno-sanitize-recover); leaks count as crashes.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

work=$build/fuzz
rows=()
failed=0
for target in "${targets[@]}"; do
  bin=$build/bin/$target
  [[ -x $bin ]] || { echo "fuzz/run.sh: $bin: no such fuzz target" >&2; exit 1; }
  mkdir -p "$work/corpus/$target" "$work/artifacts/$target" "$work/logs"
  log=$work/logs/$target.log
  echo "fuzz: $target (${limit[*]})" >&2
  touch "$work/started"  # artifacts newer than this are this run's
  status=0
  "$bin" "${limit[@]}" -timeout=30 -print_final_stats=1 \
    -artifact_prefix="$work/artifacts/$target/" \
    "$work/corpus/$target" "$seeds/$target" >"$log" 2>&1 || status=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  crashes=$(find "$work/artifacts/$target" -type f -newer "$work/started" | wc -l)
  if [[ $status -ne 0 || $crashes -ne 0 ]]; then
    failed=$((failed + 1))
    [[ $crashes -ne 0 ]] || crashes="exit $status"
    echo "fuzz: $target failed; the end of $log:" >&2
    tail -n 40 "$log" >&2
  fi
  rows+=("$(printf '%-24s %14s %10s %10s' "$target" "${runs:-?}" "${speed:-?}" "$crashes")")
done

printf '%-24s %14s %10s %10s\n' target executions exec/s crashes
printf '%s\n' "${rows[@]}"
echo "fuzz: $((${#targets[@]} - failed)) passed, $failed failed"
if [[ $failed -ne 0 ]]; then
  echo "fuzz: inputs that crashed are in $work/artifacts/<target>/" >&2
  exit 1
fi
