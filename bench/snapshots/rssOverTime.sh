#!/usr/bin/env bash
# Resident memory of every node of a saturated 3-node workbench run, sampled
# every 10 s. With snapshots the log is compacted every --snapshot-every
# entries, so memory should level off instead of growing with the history.
# Usage: bench/snapshots/rssOverTime.sh [SECONDS] [-- node arguments...]
# (after `npm run build`; default 600 s, the node's defaults).
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-600}
shift || true
[ "${1:-}" = "--" ] && shift
store=$(mktemp -d /tmp/rss-store-XXXXXX)
node dist/workbench/main.js test -w lin-kv --bin bin/raft --node-count 3 --concurrency 30 --rate 100000 \
  --time-limit "$seconds" --store "$store" -- "$@" >"$store/workbench.out" 2>&1 &
workbench=$!
echo "cores: $(nproc); node arguments: ${*:-(defaults)}"
printf '%6s %8s %8s %8s\n' "s" "n0 MB" "n1 MB" "n2 MB"
for ((t = 10; t <= seconds; t += 10)); do
  sleep 10
  row=$(printf '%6d' "$t")
  for pid in $(pgrep -P "$workbench" -f "raft" | sort -n); do
    row+=$(awk '/VmRSS/ { printf " %8d", $2 / 1024 }' "/proc/$pid/status" 2>/dev/null || echo " gone")
  done
  echo "$row"
done
wait "$workbench" || true
grep -E "valid|ops|ok" "$store/workbench.out" | tail -5 || true
echo "store: $store"
