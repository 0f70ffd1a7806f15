#!/usr/bin/env bash
# `errscan watch` (issue 7 point 7): latency and throughput. A benchmark, not a test.
#
#   bash benches/watch-latency.sh              # 5000 lines, one every 2 ms; 1 GiB for throughput
#   LINES=10000 INTERVAL_US=1000 SIZE=256M RUNS=5 bash benches/watch-latency.sh
#
# Latency: examples/watch_latency.rs writes matching lines (each followed by a noise line) to a
# pipe feeding `errscan watch --format ndjson` and stamps each match event read back from its
# stdout pipe; p50/p90/p99/max of (read - written). Then the same with the lines appended to a
# file followed with `-F` (woken by inotify), and once by polling alone (`--no-notify`, the
# default 200 ms poll interval). Throughput: hyperfine medians of
# `cat LOG | errscan watch --format ndjson > /dev/null` against `cat LOG | wc -l`, the log made by
# examples/genlog.rs and page-cached by a warm-up run. Needs hyperfine.
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE=${SIZE:-1G}
RUNS=${RUNS:-5}
LINES=${LINES:-5000}
INTERVAL_US=${INTERVAL_US:-2000}
BENCH_DIR=${BENCH_DIR:-/tmp/errscan-bench}
mkdir -p "$BENCH_DIR"
cargo build --release --quiet --bin errscan --example genlog --example watch_latency
ERRSCAN=$PWD/target/release/errscan

echo "== latency"
for run in 1 2 3; do
    target/release/examples/watch_latency "$ERRSCAN" "$LINES" "$INTERVAL_US"
done

echo "== latency, followed file"
for run in 1 2 3; do
    target/release/examples/watch_latency "$ERRSCAN" "$LINES" "$INTERVAL_US" file
done
target/release/examples/watch_latency "$ERRSCAN" "$LINES" "$INTERVAL_US" file --no-notify

echo "== throughput ($SIZE)"
LOG=$BENCH_DIR/log-$SIZE.log
[ -s "$LOG" ] || target/release/examples/genlog --bytes "$SIZE" --seed 7 --out "$LOG" >/dev/null
hyperfine --warmup 1 --runs "$RUNS" --export-json "$BENCH_DIR/watch.json" \
    "cat $LOG | wc -l" \
    "cat $LOG | $ERRSCAN watch --format ndjson > /dev/null" \
    "cat $LOG | $ERRSCAN scan --format ndjson - > /dev/null" >/dev/null
python3 - "$BENCH_DIR/watch.json" "$LOG" <<'PY'
import json, os, sys
results = json.load(open(sys.argv[1]))["results"]
size = os.path.getsize(sys.argv[2])
base = results[0]["median"]
for result in results:
    median = result["median"]
    print(f"{result['command']}: median {median:.3f} s, {size / median / 2**30:.2f} GiB/s, {median / base:.2f}x wc -l")
PY
