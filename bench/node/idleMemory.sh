#!/bin/sh
# Resident memory of one idle bin/raft node, a few seconds after init, with and
# without source maps. Usage: bench/node/idleMemory.sh (after `npm run build`).
set -eu
cd "$(dirname "$0")/../.."
rss() {
  ( echo '{"src":"c0","dest":"n1","body":{"type":"init","msg_id":1,"node_id":"n1","node_ids":["n1"]}}'; sleep 3 ) |
    bin/raft >/dev/null 2>&1 &
  sleep 2.5
  pid=$(pgrep -n -f "dist/raft.mjs")
  awk '/VmRSS/ { printf "%d MB\n", $2 / 1024 }' "/proc/$pid/status"
  wait
}
echo "default:            $(rss)"
echo "RAFT_SOURCE_MAPS=1: $(RAFT_SOURCE_MAPS=1 rss)"
