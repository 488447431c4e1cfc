#!/bin/sh
# The workbench's own CPU per ok operation: this work tree's workbench against
# BASE_REF's, side by side. Both are built (BASE_REF from `git archive` into a
# temp directory, sharing this tree's node_modules); both drive the same node
# binary (this tree's bin/raft) under the same saturated 3-node lin-kv load
# (bench/perf/loadRun.mjs: no faults, CONCURRENCY clients, an unreachable
# rate), ROUNDS rounds, alternating which goes first. Only the client phase
# counts (loadRun.mjs reads /proc from the first progress line to "time limit
# reached"). Prints each run and the ratio of the medians (work / base) of the
# workbench's CPU per ok operation, and appends the record to
# bench/workbench/results.md.
# Usage: bench/workbench/cpu.sh BASE_REF [ROUNDS] [SECONDS] [CONCURRENCY]
# (defaults: 3 rounds, 10 s, 60). A heavy job: run it under the lock.
set -eu
cd "$(dirname "$0")/../.."
base_ref=${1:?usage: bench/workbench/cpu.sh BASE_REF [ROUNDS] [SECONDS] [CONCURRENCY]}
rounds=${2:-3}
seconds=${3:-10}
concurrency=${4:-60}
base_commit=$(git rev-parse --short "$base_ref")
work=$(pwd)
base=$(mktemp -d)
runs=$(mktemp)
trap 'rm -rf "$base" "$runs"' EXIT

. bench/buildSideBySide.sh

{
  echo
  echo "### $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg): workbench of the work tree (commit $work_commit) against $base_commit's"
  echo
  echo "\`bench/workbench/cpu.sh $base_ref $rounds $seconds $concurrency\`: the work tree's bin/raft for both, 3 nodes, no faults, concurrency $concurrency, ${seconds} s per run"
  echo
  echo '| round | workbench | valid | ok | ok/s | p50 ms | workbench CPU ms | workbench CPU µs/ok | node CPU µs/ok |'
  echo '|---:|---|---|---:|---:|---:|---:|---:|---:|'
  round=1
  while [ "$round" -le "$rounds" ]; do
    # Alternate the order, so that neither build always runs on a machine the other just warmed or loaded.
    if [ $((round % 2)) -eq 1 ]; then order="base work"; else order="work base"; fi
    for which in $order; do
      if [ "$which" = base ]; then dir=$base; else dir=$work; fi
      line=$(node bench/perf/loadRun.mjs "$dir" "$concurrency" "$seconds" "$work") || line='{"failed":true}'
      echo "$which $line" >>"$runs"
      node -e '
        const [round, which, json] = process.argv.slice(1)
        const r = JSON.parse(json)
        const f = (x, d = 0) => (typeof x === "number" ? x.toFixed(d) : "?")
        console.log(r.failed ? `| ${round} | ${which} | failed to run |` :
          `| ${round} | ${which} | ${r.valid} | ${r.ok} | ${f(r.okPerSecond, 1)} | ${f(r.p50, 2)} | ${f(r.workbenchCpuMs)} | ${f(r.workbenchCpuMs * 1000 / r.ok)} | ${f(r.nodeCpuUsPerOk)} |`)
      ' "$round" "$which" "$line"
    done
    round=$((round + 1))
  done
  echo
  node -e '
    const lines = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").map((l) => {
      const [which, ...json] = l.split(" ")
      return { which, r: JSON.parse(json.join(" ")) }
    })
    const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2 }
    const of = (which, f) => median(lines.filter((l) => l.which === which && !l.r.failed && l.r.ok > 0).map((l) => f(l.r)))
    const cpu = (r) => r.workbenchCpuMs * 1000 / r.ok
    const [b, w] = [of("base", cpu), of("work", cpu)]
    const [bt, wt] = [of("base", (r) => r.okPerSecond), of("work", (r) => r.okPerSecond)]
    console.log(`Workbench CPU per ok operation, work / base: **${(w / b).toFixed(2)}** (medians ${b.toFixed(0)} → ${w.toFixed(0)} µs); ok/s ${(wt / bt).toFixed(2)} (${bt.toFixed(1)} → ${wt.toFixed(1)}).`)
  ' "$runs"
} | tee -a bench/workbench/results.md
