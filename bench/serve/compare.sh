#!/bin/sh
# The cluster as a service against the cluster under the workbench, on the
# same machine and build: ROUNDS rounds, at each concurrency, of the same
# saturated 3-node lin-kv load (no faults, memory logs, SECONDS each) run
# once through the workbench over the nodes' stdin and stdout
# (bench/perf/loadRun.mjs) and once over HTTP to `bin/raft serve` nodes
# talking TCP (bench/serve/httpLoad.ts), alternating which goes first.
# Prints each run and the medians' ratios (served / Maelstrom): ok ops/s,
# p50 and p99 latency, the node processes' CPU per ok operation.
# Appends the record to bench/serve/results.md (bench/serve/leaderKill.sh
# adds a leader killed under load to it).
# Usage: npm run build && bench/serve/compare.sh [ROUNDS] [SECONDS] [CONCURRENCIES]
# (defaults: 2 rounds, 10 s, "20 100"). A heavy job: run it alone.
set -eu
cd "$(dirname "$0")/../.."
rounds=${1:-2}
seconds=${2:-10}
concurrencies=${3:-20 100}
commit=$(git rev-parse --short HEAD)
if [ -n "$(git status --porcelain --untracked-files=no)" ]; then commit="$commit + changes"; fi
runs=$(mktemp)
trap 'rm -f "$runs"' EXIT

{
  echo
  echo "### $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg): commit $commit"
  echo
  echo "\`bench/serve/compare.sh $rounds $seconds \"$concurrencies\"\`: 3 nodes, memory logs, no faults, ${seconds} s per run, $rounds rounds"
  echo
  echo '| round | concurrency | mode | valid | ok | ok/s | p50 ms | p99 ms | node CPU ms | node CPU µs/ok | client CPU ms |'
  echo '|---:|---:|---|---|---:|---:|---:|---:|---:|---:|---:|'
  round=1
  while [ "$round" -le "$rounds" ]; do
    for concurrency in $concurrencies; do
      # Alternate the order, so that neither mode always runs on a machine the other just warmed or loaded.
      if [ $((round % 2)) -eq 1 ]; then order="maelstrom served"; else order="served maelstrom"; fi
      for mode in $order; do
        if [ "$mode" = maelstrom ]; then
          line=$(node bench/perf/loadRun.mjs "$(pwd)" "$concurrency" "$seconds") || line='{"failed":true}'
        else
          line=$(node dist/bench/serve/httpLoad.js "$concurrency" "$seconds") || line='{"failed":true}'
        fi
        echo "$round $concurrency $mode $line" >>"$runs"
        node -e '
          const [round, concurrency, mode, json] = process.argv.slice(1)
          const r = JSON.parse(json)
          const f = (x, d = 1) => (typeof x === "number" ? x.toFixed(d) : "?")
          console.log(r.failed ? `| ${round} | ${concurrency} | ${mode} | failed to run |` :
            `| ${round} | ${concurrency} | ${mode} | ${r.valid} | ${r.ok} | ${f(r.okPerSecond)} | ${f(r.p50, 2)} | ${f(r.p99, 2)} | ${f(r.nodeCpuMs, 0)} | ${f(r.nodeCpuUsPerOk, 0)} | ${f(r.workbenchCpuMs ?? r.clientCpuMs, 0)} |`)
        ' "$round" "$concurrency" "$mode" "$line"
      done
    done
    round=$((round + 1))
  done
  echo
  echo '| concurrency | ok/s (served / Maelstrom) | p50 | p99 | node CPU per ok | medians: Maelstrom → served |'
  echo '|---:|---:|---:|---:|---:|---|'
  node -e '
    const lines = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").map((l) => {
      const [, concurrency, mode, ...json] = l.split(" ")
      return { concurrency, mode, r: JSON.parse(json.join(" ")) }
    })
    const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2 }
    for (const concurrency of [...new Set(lines.map((l) => l.concurrency))]) {
      const of = (mode, field) => median(lines.filter((l) => l.concurrency === concurrency && l.mode === mode && !l.r.failed && typeof l.r[field] === "number").map((l) => l.r[field]))
      const cells = ["okPerSecond", "p50", "p99", "nodeCpuUsPerOk"].map((f) => [of("maelstrom", f), of("served", f)])
      const ratio = ([m, s]) => (Number.isFinite(s / m) ? (s / m).toFixed(2) : "?")
      const pair = ([m, s], unit) => `${m?.toFixed(1)} → ${s?.toFixed(1)} ${unit}`
      console.log(`| ${concurrency} | ${cells.map(ratio).join(" | ")} | ${pair(cells[0], "ok/s")}, ${pair(cells[1], "ms")} p50, ${pair(cells[2], "ms")} p99, ${pair(cells[3], "µs")} CPU/ok |`)
    }
  ' "$runs"
  echo
  echo "The two harnesses differ: the workbench's clients reach the nodes through the workbench's router over pipes, the"
  echo "served nodes' clients are HTTP clients (fetch, keep-alive) in a process of their own, and the served nodes forward"
  echo "to the leader over TCP. Latency and throughput include each harness's own cost on the same two cores (its CPU in"
  echo "the last column); the nodes' CPU per ok operation is the most comparable figure."
} | tee -a bench/serve/results.md
