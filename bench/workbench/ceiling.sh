#!/bin/sh
# The workbench's throughput ceiling (the non-replicated single-node KV) and
# our Raft cluster, measured in the same run on the same machine, so their
# ratio means something. Usage: bench/workbench/ceiling.sh [seconds] [rate]
# Appends one record per node to bench/workbench/results.md. Needs `npm run build`.
set -eu
cd "$(dirname "$0")/../.."
seconds=${1:-10}
rate=${2:-5000}
record() { # name, then the workbench arguments
  name=$1; shift
  store=$(mktemp -d)
  node dist/workbench/main.js test -w lin-kv "$@" --concurrency 10 --rate "$rate" --time-limit "$seconds" \
    --seed 1 --store "$store" >/dev/null 2>&1 || true
  node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))
    const s = r.stats
    console.log(`| ${process.argv[2]} | ${r.test.nodes.length} | ${s.throughput.okPerSecond} | ${s.throughput.completedPerSecond} | ${s.latencyMs?.p50} | ${s.latencyMs?.p99} | ${s.messagesPerOperation.total} | ${r.valid} |`)
  ' "$store/latest/results.json" "$name" || echo "| $name | failed to run: see the workbench's error |"
  rm -rf "$store"
}
{
  echo
  echo "### $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg), ${seconds} s at --rate ${rate}, --concurrency 10 (commit $(git rev-parse --short HEAD))"
  echo
  echo '| node | nodes | ok/s | completed/s | p50 ms | p99 ms | msgs/op | valid |'
  echo '|---|---:|---:|---:|---:|---:|---:|---|'
  record "reference-single-kv" --bin bin/reference-single-kv --node-count 1
  record "raft" --bin bin/raft --node-count 3
} | tee -a bench/workbench/results.md
