#!/usr/bin/env bash
# What finding and recording match times costs: one binary run with times and with
# ERRSCAN_MEASURE_NO_TIMES=1 (no line's time is looked for, every match untimed), alternating
# the two in random order run after run, so that the load of this shared machine drifting
# during the measurement falls on both alike. Prints medians and their ratio, for 2 threads
# and for -j1 (issue 5's goal: within 5 %).
#
#   bash benches/times-cost.sh            # the 1 GiB benchmark log, 21 pairs of runs each
#   RUNS=31 SIZE=256M bash benches/times-cost.sh
#
# Needs python3. The log is the one benches/throughput.sh generates (made here when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE=${SIZE:-1G}
RUNS=${RUNS:-21}
BENCH_DIR=${BENCH_DIR:-/tmp/errscan-bench}
mkdir -p "$BENCH_DIR"
cargo build --release --quiet --bin errscan --example genlog
ERRSCAN=$PWD/target/release/errscan
LOG=$BENCH_DIR/log-$SIZE.log
[ -s "$LOG" ] || target/release/examples/genlog --bytes "$SIZE" --seed 7 --out "$LOG" --truth "$LOG.truth.json" >/dev/null

python3 - "$ERRSCAN" "$LOG" "$RUNS" <<'EOF'
import os, random, statistics, subprocess, sys, time

errscan, log, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])

def run(threads, times):
    env = dict(os.environ)
    env.pop("ERRSCAN_MEASURE_NO_TIMES", None)
    if not times:
        env["ERRSCAN_MEASURE_NO_TIMES"] = "1"
    command = [errscan, "scan", "--format", "json", "-o", "/dev/null", log]
    if threads == 1:
        command.append("-j1")
    start = time.perf_counter()
    subprocess.run(command, env=env, check=True)
    return time.perf_counter() - start

for threads, label in [(0, "2 threads"), (1, "-j1")]:
    run(threads, True)
    run(threads, False)  # warm-up, page cache
    timed, untimed, ratios = [], [], []
    for _ in range(runs):
        order = [True, False]
        random.shuffle(order)
        took = {times: run(threads, times) for times in order}
        timed.append(took[True])
        untimed.append(took[False])
        ratios.append(took[True] / took[False])
    with_times, without = statistics.median(timed), statistics.median(untimed)
    print(f"{label:9}  with times {with_times * 1000:6.1f} ms   without {without * 1000:6.1f} ms   "
          f"cost {(with_times / without - 1) * 100:+.1f} %   (median of paired ratios "
          f"{(statistics.median(ratios) - 1) * 100:+.1f} %, {runs} pairs)")
EOF
