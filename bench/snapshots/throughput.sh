#!/bin/sh
# Throughput with snapshots against BASE_REF (a build without them), side by
# side in one session: BASE_REF is built from `git archive` into a temp
# directory (sharing this tree's node_modules), and three nodes are compared,
# all driven by this tree's workbench so that only the node differs:
#   base   BASE_REF's bin/raft
#   work   this tree's bin/raft with its defaults (a snapshot every 10000 entries)
#   often  this tree's bin/raft with RAFT_SNAPSHOT_EVERY=100 (snapshots, and
#          InstallSnapshot to followers cut off by partitions, all the time)
# Each round runs, in an order that rotates, for every node:
#   saturated  bench/perf/loadRun.mjs: 3 nodes, no faults, concurrency 30, no rate limit
#   hardest    the tutorial's hardest lin-kv run on 3 nodes: concurrency 10n,
#              rate 100, a partition change every 3 s (staggered), 60 s
# Prints every run and each measure's median per node; appends the record to
# bench/snapshots/results.md. A heavy job: run it under the lock.
# Usage: bench/snapshots/throughput.sh BASE_REF [ROUNDS] [SATURATED_SECONDS]
set -eu
cd "$(dirname "$0")/../.."
base_ref=${1:?usage: bench/snapshots/throughput.sh BASE_REF [ROUNDS] [SATURATED_SECONDS]}
rounds=${2:-2}
seconds=${3:-20}
base_commit=$(git rev-parse --short "$base_ref")
work=$(pwd)
base=$(mktemp -d)
runs=$(mktemp)
store=$(mktemp -d)
trap 'rm -rf "$base" "$runs" "$store"' EXIT

. bench/buildSideBySide.sh

# One run; prints a JSON line with the node's name and the run's kind.
run() {
  which=$1 kind=$2
  node_dir=$work snapshot_every=""
  if [ "$which" = base ]; then node_dir=$base; fi
  if [ "$which" = often ]; then snapshot_every=100; fi
  if [ "$kind" = saturated ]; then
    line=$(env ${snapshot_every:+RAFT_SNAPSHOT_EVERY=$snapshot_every} \
      node bench/perf/loadRun.mjs "$work" 30 "$seconds" "$node_dir") || line='{"valid":false}'
  else
    rm -rf "$store/lin-kv"
    env ${snapshot_every:+RAFT_SNAPSHOT_EVERY=$snapshot_every} \
      node dist/workbench/main.js test -w lin-kv --bin "$node_dir/bin/raft" --node-count 3 --concurrency 10n \
      --rate 100 --time-limit 60 --nemesis partition --nemesis-interval 3 --store "$store" >/dev/null 2>&1 || true
    line=$(node -e '
      const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))
      console.log(JSON.stringify({ valid: r.valid, ok: r.stats.ok, okPerSecond: r.stats.throughput.okPerSecond,
        p50: r.stats.latencyMs?.p50 ?? null, p99: r.stats.latencyMs?.p99 ?? null }))
    ' "$store"/latest/results.json 2>/dev/null) || line='{"valid":false}'
  fi
  echo "{\"round\":$round,\"node\":\"$which\",\"kind\":\"$kind\",\"run\":$line}"
}

{
  echo
  echo "### $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg): work tree (commit $work_commit) against $base_commit"
  echo
  echo "\`bench/snapshots/throughput.sh $base_ref $rounds $seconds\`"
  echo
  echo '| round | kind | node | valid | ok | ok/s | p50 ms | p99 ms |'
  echo '|---:|---|---|---|---:|---:|---:|---:|'
  round=1
  while [ "$round" -le "$rounds" ]; do
    case $((round % 3)) in
      1) order="base work often" ;;
      2) order="work often base" ;;
      0) order="often base work" ;;
    esac
    for kind in saturated hardest; do
      for which in $order; do
        line=$(run "$which" "$kind")
        echo "$line" >>"$runs"
        echo "$line" | node -e '
          const { round, node, kind, run } = JSON.parse(require("fs").readFileSync(0, "utf8"))
          console.log(`| ${round} | ${kind} | ${node} | ${run.valid} | ${run.ok ?? "?"} | ${run.okPerSecond ?? "?"} | ${run.p50 ?? "?"} | ${run.p99 ?? "?"} |`)
        '
      done
    done
    round=$((round + 1))
  done
  echo
  echo '| kind | node | median ok/s | ratio to base | median p50 ms |'
  echo '|---|---|---:|---:|---:|'
  node -e '
    const runs = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").map((l) => JSON.parse(l))
    const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2 }
    for (const kind of ["saturated", "hardest"]) {
      const of = (node, field) => median(runs.filter((r) => r.kind === kind && r.node === node).map((r) => r.run[field] ?? NaN))
      const base = of("base", "okPerSecond")
      for (const node of ["base", "work", "often"]) {
        const okPerSecond = of(node, "okPerSecond")
        console.log(`| ${kind} | ${node} | ${okPerSecond.toFixed(1)} | ${(okPerSecond / base).toFixed(2)} | ${of(node, "p50").toFixed(2)} |`)
      }
    }
  ' "$runs"
} | tee -a bench/snapshots/results.md
