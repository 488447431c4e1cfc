#!/bin/sh
# The tutorial's hardest lin-kv run (concurrency 10n, rate 100, a fault (partitions
# unless told) every 3 s, 60 s) against bin/raft on 3 and 5 nodes, through the
# workbench. Usage: bench/raft/hardRuns.sh [tests per size] [read mode] [nemesis]
# (defaults: 2, index, partition; e.g. `bench/raft/hardRuns.sh 1 lease partition,pause`).
# Appends one record per test to bench/raft/hard-runs.md. Needs `npm run build`.
set -eu
cd "$(dirname "$0")/../.."
count=${1:-2}
mode=${2:-index}
nemesis=${3:-partition}
store=$(mktemp -d)
{
  echo
  echo "### $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg), $count test(s) per size, --read-mode $mode, --nemesis $nemesis (commit $(git rev-parse --short HEAD))"
  echo
  echo '| nodes | seed | valid | ops | ok | fail | info | ok/s | p50 ms | p99 ms | faults |'
  echo '|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|'
  for nodes in 3 5; do
    node dist/workbench/main.js test -w lin-kv --bin bin/raft --node-count "$nodes" --concurrency 10n --rate 100 \
      --time-limit 60 --nemesis "$nemesis" --nemesis-interval 3 --test-count "$count" --store "$store" -- --read-mode "$mode" \
      >/dev/null 2>&1 || true
  done
  for results in "$store"/lin-kv/*/results.json; do
    node -e '
      const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))
      const s = r.stats
      console.log(`| ${r.test.nodes.length} | ${r.test.seed} | ${r.valid} | ${s.operations} | ${s.ok} | ${s.fail} | ${s.info} | ${s.throughput.okPerSecond} | ${s.latencyMs?.p50} | ${s.latencyMs?.p99} | ${r.faults?.length ?? "?"} |`)
    ' "$results"
  done
} | tee -a bench/raft/hard-runs.md
rm -rf "$store"
