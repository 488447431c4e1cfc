#!/bin/sh
# This work tree against BASE_REF, side by side: both are built (BASE_REF from
# `git archive` into a temp directory, sharing this tree's node_modules), then
# the same saturated 3-node lin-kv load (bench/perf/loadRun.mjs: no faults,
# fixed concurrency, an unreachable rate) runs against each in turn, ROUNDS
# rounds, alternating which goes first, at each concurrency. Prints each run
# and the medians' ratios (this tree / BASE_REF): throughput (ok ops/s),
# p50 and p99 latency, and the node processes' CPU time per ok operation.
# Each round also measures one node's CPU per request without the workbench
# (bench/perf/singleNodeCpu.mjs: the same 20000 requests every time), which
# a machine shared with other work disturbs far less; at the end, an idle
# node's resident memory.
# Appends the record to bench/perf/results.md.
# Usage: [BASE_LOAD_ARGS=...] [WORK_LOAD_ARGS=...] bench/perf/compare.sh BASE_REF [ROUNDS] [SECONDS] [CONCURRENCIES]
# (defaults: 3 rounds, 10 s, "20 100"). BASE_LOAD_ARGS and WORK_LOAD_ARGS
# are passed to loadRun.mjs for the base's and the work tree's runs (say
# `--durable`, for nodes with a data directory; empty by default):
# `WORK_LOAD_ARGS=--durable bench/perf/compare.sh HEAD` sets the durable
# cluster beside the in-memory one of the same commit. Fsyncs per operation
# (from the nodes' stats lines, one every 10 s) need runs of 20 s or more.
# A heavy job: run it under the lock.
set -eu
cd "$(dirname "$0")/../.."
base_ref=${1:?usage: bench/perf/compare.sh BASE_REF [ROUNDS] [SECONDS] [CONCURRENCIES]}
rounds=${2:-3}
seconds=${3:-10}
concurrencies=${4:-20 100}
base_commit=$(git rev-parse --short "$base_ref")
work=$(pwd)
base=$(mktemp -d)
runs=$(mktemp)
trap 'rm -rf "$base" "$runs"' EXIT

. bench/buildSideBySide.sh

{
  echo
  echo "### $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg): work tree (commit $work_commit) against $base_commit"
  echo
  echo "\`BASE_LOAD_ARGS=\"${BASE_LOAD_ARGS:-}\" WORK_LOAD_ARGS=\"${WORK_LOAD_ARGS:-}\" bench/perf/compare.sh $base_ref $rounds $seconds \"$concurrencies\"\`: 3 nodes, no faults, ${seconds} s per run, $rounds rounds"
  echo
  echo '| round | concurrency | build | valid | ok | ok/s | p50 ms | p99 ms | node CPU ms | node CPU µs/ok | workbench CPU ms | fsyncs/op leader, followers |'
  echo '|---:|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---|'
  round=1
  while [ "$round" -le "$rounds" ]; do
    for concurrency in $concurrencies; do
      # Alternate the order, so that neither build always runs on a machine the other just warmed or loaded.
      if [ $((round % 2)) -eq 1 ]; then order="base work"; else order="work base"; fi
      for which in $order; do
        if [ "$which" = base ]; then dir=$base; load_args=${BASE_LOAD_ARGS:-}; else dir=$work; load_args=${WORK_LOAD_ARGS:-}; fi
        # shellcheck disable=SC2086 # the arguments are words
        line=$(node bench/perf/loadRun.mjs "$dir" "$concurrency" "$seconds" "$dir" $load_args) || line='{"failed":true}'
        echo "$round $concurrency $which $line" >>"$runs"
        node -e '
          const [round, concurrency, which, json] = process.argv.slice(1)
          const r = JSON.parse(json)
          const f = (x, d = 1) => (typeof x === "number" ? x.toFixed(d) : "?")
          console.log(r.failed ? `| ${round} | ${concurrency} | ${which} | failed to run |` :
            `| ${round} | ${concurrency} | ${which} | ${r.valid} | ${r.ok} | ${f(r.okPerSecond)} | ${f(r.p50, 2)} | ${f(r.p99, 2)} | ${f(r.nodeCpuMs, 0)} | ${f(r.nodeCpuUsPerOk, 0)} | ${f(r.workbenchCpuMs, 0)} | ${[r.leaderFsyncsPerOperation, ...(r.followerFsyncsPerOperation ?? [])].map((x) => f(x, 2)).join(", ")} |`)
        ' "$round" "$concurrency" "$which" "$line"
      done
    done
    if [ $((round % 2)) -eq 1 ]; then order="base work"; else order="work base"; fi
    for which in $order; do
      if [ "$which" = base ]; then dir=$base; else dir=$work; fi
      line=$(node bench/perf/singleNodeCpu.mjs "$dir" 20000 20) || line='{"failed":true}'
      echo "$round single $which $line" >>"$runs"
      echo "| $round | single node, 20 in flight | $which | | | | | | | $(node -e 'const r = JSON.parse(process.argv[1]); console.log(r.failed ? "failed" : r.cpuUsPerOperation.toFixed(0))' "$line") per request | |"
    done
    round=$((round + 1))
  done
  # An idle node's resident memory, 2.5 s after init as a one-node cluster (as bench/node/idleMemory.sh).
  idle_rss() {
    ( echo '{"src":"c0","dest":"n1","body":{"type":"init","msg_id":1,"node_id":"n1","node_ids":["n1"]}}'; sleep 3 ) |
      "$1/bin/raft" >/dev/null 2>&1 &
    sleep 2.5
    awk '/VmRSS/ { printf "%d MB", $2 / 1024 }' "/proc/$!/status"
    wait
  }
  echo
  echo "Idle RSS of one node: base $(idle_rss "$base"), work $(idle_rss "$work")."
  echo
  echo '| concurrency | ok/s (work / base) | p50 | p99 | node CPU per ok | medians: base → work |'
  echo '|---:|---:|---:|---:|---:|---|'
  node -e '
    const lines = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").map((l) => {
      const [round, concurrency, which, ...json] = l.split(" ")
      return { concurrency, which, r: JSON.parse(json.join(" ")) }
    })
    const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2 }
    for (const concurrency of [...new Set(lines.map((l) => l.concurrency))]) {
      if (concurrency === "single") {
        const cpu = (which) => median(lines.filter((l) => l.concurrency === "single" && l.which === which && !l.r.failed).map((l) => l.r.cpuUsPerOperation))
        console.log(`| single node | | | | ${(cpu("work") / cpu("base")).toFixed(2)} | ${cpu("base").toFixed(0)} → ${cpu("work").toFixed(0)} µs CPU per request |`)
        continue
      }
      const of = (which, field) => median(lines.filter((l) => l.concurrency === concurrency && l.which === which && !l.r.failed && typeof l.r[field] === "number").map((l) => l.r[field]))
      const cells = ["okPerSecond", "p50", "p99", "nodeCpuUsPerOk"].map((f) => [of("base", f), of("work", f)])
      const ratio = ([b, w]) => (Number.isFinite(w / b) ? (w / b).toFixed(2) : "?")
      const pair = ([b, w], unit) => `${b?.toFixed(1)} → ${w?.toFixed(1)} ${unit}`
      // Fsyncs per operation: the leader, and the busier follower.
      const fsyncs = (which) => {
        const runs = lines.filter((l) => l.concurrency === concurrency && l.which === which && typeof l.r.leaderFsyncsPerOperation === "number")
        return runs.length === 0 ? null : [median(runs.map((l) => l.r.leaderFsyncsPerOperation)), median(runs.map((l) => Math.max(...l.r.followerFsyncsPerOperation)))]
      }
      const fsyncText = ["base", "work"].map((which) => fsyncs(which)).map((m) => (m === null ? "none" : `${m[0].toFixed(2)}/${m[1].toFixed(2)}`)).join(" → ")
      console.log(`| ${concurrency} | ${cells.map(ratio).join(" | ")} | ${pair(cells[0], "ok/s")}, ${pair(cells[1], "ms")} p50, ${pair(cells[2], "ms")} p99, ${pair(cells[3], "µs")} CPU/ok, fsyncs/op leader/follower ${fsyncText} |`)
    }
  ' "$runs"
} | tee -a bench/perf/results.md
