#!/bin/sh
# Seeds per second of `npm run sim` on 1 worker thread and on 2: the same
# seeds one after the other in one run. Per core is seeds per CPU second
# (user + system, all threads), which other load on a shared machine
# disturbs less than wall-clock time. Usage: bench/sim/workers.sh [seeds]
# [nodes]. Appends a record to bench/sim/workers.md. Needs `npm run build`
# and /usr/bin/time; run it under `flock /tmp/heavy.lock` on a shared machine.
set -eu
cd "$(dirname "$0")/../.."
seeds=${1:-100}
nodes=${2:-3}
out=$(mktemp)
{
  echo
  echo "### $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg), $seeds seeds on $nodes nodes, every fault (commit $(git rev-parse --short HEAD))"
  echo
  echo "\`bench/sim/workers.sh $seeds $nodes\`"
  echo
  echo '| workers | wall s | CPU s | seeds/s | seeds per CPU second | load after |'
  echo '|---:|---:|---:|---:|---:|---:|'
  for workers in 1 2; do
    /usr/bin/time -f "%e %U %S" -o "$out.time" node dist/sim/main.js --seeds "$seeds" --nodes "$nodes" --workers "$workers" >"$out" 2>/dev/null ||
      { echo "a seed failed with $workers workers" >&2; exit 1; }
    node -e '
      const [wall, user, system] = require("fs").readFileSync(process.argv[1], "utf8").trim().split(/\s+/).map(Number)
      const [seeds, workers] = process.argv.slice(2).map(Number)
      const cpu = user + system
      const load = require("fs").readFileSync("/proc/loadavg", "utf8").split(" ")[0]
      console.log(`| ${workers} | ${wall.toFixed(1)} | ${cpu.toFixed(1)} | ${(seeds / wall).toFixed(2)} | ${(seeds / cpu).toFixed(2)} | ${load} |`)
    ' "$out.time" "$seeds" "$workers"
  done
} | tee -a bench/sim/workers.md
rm -f "$out" "$out.time"
