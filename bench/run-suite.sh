#!/usr/bin/env bash
# The benchmark suite of issues 2 and 5 (bench/README.md explains each run and its target).
#   bench/run-suite.sh path/to/raftvault-bench [--json]
# Prints each run's table (or, with --json, one JSON object per line) and, in table mode,
# how the fsync'd WAL compares with the disk's own write + fdatasync rate.
# Then the actor pipeline's four targets (issue 5), each printed as a ratio against its target.
# Everything is written under /var/tmp and removed afterwards; about 45-60 s in all.
set -euo pipefail

if [[ $# -lt 1 ]]; then
  echo "usage: bench/run-suite.sh path/to/raftvault-bench [--json]" >&2
  exit 2
fi
bench=$1
shift
json=0
for arg in "$@"; do
  case $arg in
    --json) json=1 ;;
    *) echo "run-suite.sh: $arg: unknown option (only --json)" >&2; exit 2 ;;
  esac
done
if [[ ! -x $bench ]]; then
  echo "run-suite.sh: $bench: not an executable (build first: ./dev.sh build)" >&2
  exit 1
fi

# Runs one configuration; in table mode prints a heading and the table, and remembers the
# throughput (MB/s) under the given name.
declare -A throughput
run() {
  local name=$1
  shift
  if [[ $json == 1 ]]; then
    "$bench" "$@" --json
    return
  fi
  echo "== $name: raftvault-bench $*"
  local out
  out=$("$bench" "$@")
  echo "$out"
  echo
  throughput[$name]=$(awk '$1 == "throughput" { gsub(",", "", $2); print $2 }' <<<"$out")
}

# The disk first, while the page cache holds nothing dirty from the other runs, and again
# right after the fsync'd WAL run. On a VM the first run can also pay for the first touch of
# guest memory by the page cache (its writes, not its fdatasyncs, are slow), and a shared
# virtual disk's rate drifts within minutes; the WAL is compared with the better raw run,
# the stricter yardstick.
run raw        raw --size 1MiB --count 256
run wal-sync   wal --entries 131072 --size 4KiB --batch 256
run raw-again  raw --size 1MiB --count 256
run wal-128    wal --entries 6000000 --size 128 --batch 256 --no-sync
run wal-4k     wal --entries 262144 --size 4KiB --batch 256 --no-sync

if [[ $json == 0 ]]; then
  awk -v wal="${throughput[wal-sync]}" -v raw1="${throughput[raw]}" -v raw2="${throughput[raw-again]}" 'BEGIN {
    raw = raw1 > raw2 ? raw1 : raw2
    if (raw > 0) printf "fsync'\''d WAL (4 KiB x 256) at %.1f MB/s = %.0f%% of the better raw disk rate (%.1f and %.1f MB/s); target >= 90%%\n", wal, 100 * wal / raw, raw1, raw2
  }'
fi

# --- The actor pipeline (issue 5). Each run measures the raw disk (write + fdatasync of one
# append's WAL bytes) before and after its load in the same process; the ratios compare runs
# made back to back.
field() {  # field KEY JSON -> the value of "KEY" in a one-line JSON object
  sed -n 's/.*"'"$1"'": *"\{0,1\}\([^,}"]*\).*/\1/p' <<<"$2"
}
declare -A pipeline
run_pipeline() {
  local name=$1
  shift
  local out
  out=$("$bench" pipeline "$@" --json)
  pipeline[$name]=$out
  if [[ $json == 1 ]]; then
    echo "$out"
  else
    echo "== $name: raftvault-bench pipeline $*"
    echo "$out"
    echo
  fi
}
run_pipeline one-producer    --producers 1 --size 256 --duration 3
run_pipeline 64-producers    --producers 64 --size 256 --duration 3
# Encrypted against plaintext in one process, in turns of 0.4 s (E P P E ...): the shared
# disk and the other processes' load drift by more than 10% within seconds, so separate runs
# cannot resolve the target; the ratio sums every slice.
run_pipeline 4k-alternating  --producers 4 --size 4KiB --batch 256 --duration 6 --alternate-plaintext
# Twelve rotations 250 ms apart, each with a control window of the same length between them:
# one rotation lasts a few group commits, too short a window alone.
run_pipeline rotation        --producers 64 --size 256 --duration 5.5 --rotate-at 1 --rotations 12

# verdict NAME VALUE OP LIMIT: prints VALUE, the target and VALUE/LIMIT (>= 1 is good for a
# floor, <= 1 for a ceiling).
verdicts=()
verdict() {
  local line
  line=$(awk -v name="$1" -v v="$2" -v op="$3" -v lim="$4" 'BEGIN {
    r = lim != 0 ? v / lim : 0
    ok = (op == ">=") ? (v >= lim) : (v <= lim)
    printf "%-64s %10.2f  target %s %-8g ratio vs target %.2f  %s\n", name, v, op, lim, r, ok ? "PASS" : "MISS"
  }')
  verdicts+=("$line")
}
p1=${pipeline[one-producer]}; p64=${pipeline[64-producers]}
alt=${pipeline[4k-alternating]}; rot=${pipeline[rotation]}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.4f", b != 0 ? a / b : 0 }'; }
verdict "(a) 64 producers / 1 producer, entries/s" \
  "$(ratio "$(field entries_per_sec "$p64")" "$(field entries_per_sec "$p1")")" ">=" 20
verdict "(a) 64-producer p99 / raw fdatasync p99 (same process)" \
  "$(field latency_p99_vs_fdatasync_p99 "$p64")" "<=" 4
# Not the target: the same p99 against the WAL's own fdatasyncs during the load. When the line
# above misses and this one does not, the raw runs around the load met a faster disk phase.
verdict "(a) check: 64-producer p99 / WAL's own fdatasync p99 (in load)" \
  "$(field latency_p99_vs_wal_fdatasync_p99 "$p64")" "<=" 4
verdict "(b) 1-producer p50 / raw write+fdatasync p50 (same process)" \
  "$(field latency_p50_vs_raw_write_fdatasync_p50 "$p1")" "<=" 1.3
verdict "(c) 4 KiB x 256 encrypted MB/s / raw MB/s (same process)" \
  "$(field mb_per_sec_vs_raw "$alt")" ">=" 0.85
verdict "(c) 4 KiB x 256 encrypted / plaintext MB/s (alternating slices)" \
  "$(field encrypted_vs_plaintext "$alt")" ">=" 0.9
verdict "(d) failed appends during the rotation run" "$(field failed_appends "$rot")" "<=" 0
verdict "(d) throughput during rotations / between them (12 rotations)" \
  "$(field rotation_window_throughput_ratio "$rot")" ">=" 0.75
# Not a target: the same measurement on windows without a rotation. Far from 1, the run was
# too noisy for the line above to mean anything.
verdict "(d) noise check: control windows (no rotation) / between" \
  "$(field rotation_control_throughput_ratio "$rot")" ">=" 0.9
verdict "(d) longest rotation ms (limit: 2000 + its snapshot + retire ms)" \
  "$(field rotation_ms "$rot")" "<=" "$(awk -v s="$(field rotation_snapshot_ms "$rot")" 'BEGIN { print 2000 + s }')"
if [[ $json == 1 ]]; then
  printf '{"bench":"pipeline-targets","verdicts":['
  sep=""
  for line in "${verdicts[@]}"; do printf '%s"%s"' "$sep" "$(sed 's/  */ /g' <<<"$line")"; sep=","; done
  printf ']}\n'
else
  echo "== actor pipeline targets (issue 5)"
  printf '%s\n' "${verdicts[@]}"
fi
