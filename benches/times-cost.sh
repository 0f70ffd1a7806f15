#!/usr/bin/env bash
# What finding and recording match times costs: one binary run with times and with
# ERRSCAN_MEASURE_NO_TIMES=1 (no line's time is looked for, every match untimed), alternating
# the two in random order run after run, so that the load of this shared machine drifting
# during the measurement falls on both alike. Prints medians and their ratio, of wall-clock
# time and of CPU time (user + system, which the machine's other tenants disturb less), for
# 2 threads and for -j1 (issue 5's goal: within 5 %).
#
#   bash benches/times-cost.sh            # the 1 GiB benchmark log, 21 pairs of runs each
#   RUNS=31 SIZE=256M bash benches/times-cost.sh
#   FORMATS=json bash benches/times-cost.sh   # one report format only
#
# Needs python3. The log is the one benches/throughput.sh generates (made here when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE=${SIZE:-1G}
RUNS=${RUNS:-21}
FORMATS=${FORMATS:-json text}
BENCH_DIR=${BENCH_DIR:-/tmp/errscan-bench}
mkdir -p "$BENCH_DIR"
cargo build --release --quiet --bin errscan --example genlog
ERRSCAN=$PWD/target/release/errscan
LOG=$BENCH_DIR/log-$SIZE.log
[ -s "$LOG" ] || target/release/examples/genlog --bytes "$SIZE" --seed 7 --out "$LOG" --truth "$LOG.truth.json" >/dev/null

python3 - "$ERRSCAN" "$LOG" "$RUNS" $FORMATS <<'EOF'
import os, random, statistics, subprocess, sys, time

errscan, log, runs, formats = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:]

def run(threads, times, output):
    """Wall-clock seconds and CPU seconds (user + system) of one run."""
    env = dict(os.environ)
    env.pop("ERRSCAN_MEASURE_NO_TIMES", None)
    if not times:
        env["ERRSCAN_MEASURE_NO_TIMES"] = "1"
    command = [errscan, "scan", "--format", output, "-o", "/dev/null", log]
    if threads == 1:
        command.append("-j1")
    start = time.perf_counter()
    child = subprocess.Popen(command, env=env)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{command} failed")
    return wall, usage.ru_utime + usage.ru_stime

def interval(ratios):
    """A 95 % bootstrap interval of the median of `ratios`."""
    medians = sorted(statistics.median(random.choices(ratios, k=len(ratios)))
                     for _ in range(2000))
    return medians[50], medians[1949]

for output, (threads, label) in [(f, t) for f in formats for t in [(0, "2 threads"), (1, "-j1")]]:
    label = f"{output:4} {label}"
    run(threads, True, output)
    run(threads, False, output)  # warm-up, page cache
    took = {True: [], False: []}
    for _ in range(runs):
        order = [True, False]
        random.shuffle(order)
        for times in order:
            took[times].append(run(threads, times, output))
    for kind, index in [("time", 0), ("CPU time", 1)]:
        timed = [pair[index] for pair in took[True]]
        untimed = [pair[index] for pair in took[False]]
        ratios = [a / b for a, b in zip(timed, untimed)]
        with_times, without = statistics.median(timed), statistics.median(untimed)
        low, high = interval(ratios)
        print(f"{label:14} {kind:8}  with times {with_times * 1000:6.1f} ms   without "
              f"{without * 1000:6.1f} ms   cost {(with_times / without - 1) * 100:+.1f} %   "
              f"(median of paired ratios {(statistics.median(ratios) - 1) * 100:+.1f} %, "
              f"95 % interval {(low - 1) * 100:+.1f} to {(high - 1) * 100:+.1f} %, {runs} pairs)")
EOF
