#!/bin/sh
# Seeds per second of `npm run sim` on 1 worker thread and on 2, the same
# seeds one after the other in one run, and per worker. Usage:
# bench/sim/workers.sh [seeds] [nodes]. Appends a record to
# bench/sim/workers.md. Needs `npm run build`; run it under
# `flock /tmp/heavy.lock` on a shared machine.
set -eu
cd "$(dirname "$0")/../.."
seeds=${1:-100}
nodes=${2:-3}
{
  echo
  echo "### $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg), $seeds seeds on $nodes nodes, every fault (commit $(git rev-parse --short HEAD))"
  echo
  echo '| workers | seconds | seeds/s | seeds/s per worker |'
  echo '|---:|---:|---:|---:|'
  for workers in 1 2; do
    seconds=$(node dist/sim/main.js --seeds "$seeds" --nodes "$nodes" --workers "$workers" 2>/dev/null |
      sed -n 's/^all [0-9]* seeds passed in \([0-9.]*\) s.*/\1/p')
    [ -n "$seconds" ] || { echo "a seed failed with $workers workers" >&2; exit 1; }
    node -e 'const [s, n, w] = process.argv.slice(1).map(Number); console.log(`| ${w} | ${s} | ${(n / s).toFixed(2)} | ${(n / s / w).toFixed(2)} |`)' \
      "$seconds" "$seeds" "$workers"
  done
} | tee -a bench/sim/workers.md
