#!/bin/sh
# What clients of the cluster run as a service see when its leader dies:
# three `bin/raft serve` nodes (memory logs) under CLIENTS HTTP clients
# (the workbench's lin-kv load, bench/serve/httpLoad.ts) for SECONDS, the
# leader killed with -9 KILL_AT seconds in and left down. A client gives up
# on a request after 1 s, and moves to the next node when its node refuses
# the connection. Prints the longest spell without any ok answer and where
# it lies from the kill, the answers during it by HTTP status, and how long
# after the kill the first read, write and cas sent after it were answered
# ok; appends the record to bench/serve/results.md.
# Usage: npm run build && bench/serve/leaderKill.sh [CLIENTS] [SECONDS] [KILL_AT]
# (defaults: 10 clients, 20 s, 5 s).
set -eu
cd "$(dirname "$0")/../.."
clients=${1:-10}
seconds=${2:-20}
kill_at=${3:-5}
commit=$(git rev-parse --short HEAD)
if [ -n "$(git status --porcelain --untracked-files=no)" ]; then commit="$commit + changes"; fi

{
  echo
  echo "### $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg): commit $commit, the leader killed"
  echo
  echo "\`bench/serve/leaderKill.sh $clients $seconds $kill_at\`: 3 served nodes, memory logs, $clients HTTP clients for $seconds s, the leader killed with -9 $kill_at s in and left down"
  echo
  line=$(node dist/bench/serve/httpLoad.js "$clients" "$seconds" --kill-leader-at "$kill_at") || line='{"failed":true}'
  node -e '
    const r = JSON.parse(process.argv[1])
    if (r.failed) { console.log("- failed to run"); process.exit(0) }
    const k = r.kill
    const statuses = Object.entries(k.answersInGapByStatus).map(([s, n]) => `${n} × ${s}`).join(", ") || "none"
    const first = k.firstOkSentAfterKillMs
    console.log(`- killed ${k.killedNode} at ${(k.killedAtMs / 1000).toFixed(1)} s`)
    console.log(`- the longest spell without an ok answer: ${k.longestGapWithoutOkMs} ms, from ${k.longestGapFromKillMs.from} ms to ${k.longestGapFromKillMs.to} ms after the kill`)
    console.log(`- answers during that spell, by HTTP status: ${statuses}`)
    console.log(`- sent after the kill, the first answered ok: read ${first.read} ms, write ${first.write} ms, cas ${first.cas} ms after the kill`)
    console.log(`- the whole run: ${r.ok} ok, ${r.fail} fail, ${r.info} info, ${r.okPerSecond} ok/s, p50 ${r.p50} ms, p99 ${r.p99} ms; history valid: ${r.valid}`)
  ' "$line"
  echo
  echo "    $line"
} | tee -a bench/serve/results.md
