#!/usr/bin/env bash
# The benchmark suite of issue 2 (bench/README.md explains each run and its target).
#   bench/run-suite.sh path/to/raftvault-bench [--json]
# Prints each run's table (or, with --json, one JSON object per line) and, in table mode,
# how the fsync'd WAL compares with the disk's own write + fdatasync rate.
# Everything is written under /var/tmp and removed afterwards; about 10-20 s in all.
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
