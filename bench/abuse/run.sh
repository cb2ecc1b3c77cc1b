#!/usr/bin/env bash
# /metrics latency under slowloris, side by side: opswatch (disk collector on /) and
# prometheus-node-exporter (loadavg collector only, the cheapest set) on loopback. Each is probed
# quiet, then while N slowloris clients (slowloris.py: one connection per loopback address, one
# header byte per second, reconnecting when cut off) hold connections to it. The probe
# (probe.py) sends sequential GET /metrics, each on a new connection, and times connect to last
# byte. Prints p50/p99/max and failures per case, and opswatch/node_exporter ratios.
# Target (issue 13): opswatch p99 < 100 ms under the abuse.
#   bench/abuse/run.sh [slowloris clients, default 50] [probe requests per case, default 500]
set -euo pipefail
cd "$(dirname "$0")/../.."
CLIENTS=${1:-50}
COUNT=${2:-500}
RATE=50          # probe requests per second: COUNT=500 spans two 5 s request-head timeouts
SETTLE=3         # seconds between starting the slowloris clients and probing
# shellcheck source=bench/lib.sh source-path=SCRIPTDIR/../..
source bench/lib.sh
start_opswatch_disk
start_node_exporter loadavg
wait_for_metrics "$ow_port" "$ne_port"

# measure PORT PID -> "p50 p99 max failures" quiet, then under abuse, and the RSS under abuse.
measure() {
  quiet=$(bench/abuse/probe.py "$1" "$COUNT" "$RATE")
  bench/abuse/slowloris.py "$1" "$CLIENTS" > "$work/slowloris.$1.log" & local loris=$!
  sleep "$SETTLE"
  abused=$(bench/abuse/probe.py "$1" "$COUNT" "$RATE")
  rss=$(rss_kib "$2")
  held=$(tail -1 "$work/slowloris.$1.log")
  kill "$loris"; wait "$loris" 2>/dev/null || true
}
measure "$ow_port" "$ow_pid"
read -ra ow_quiet <<< "$quiet"; read -ra ow_abused <<< "$abused"; ow_rss=$rss; ow_held=$held
measure "$ne_port" "$ne_pid"
read -ra ne_quiet <<< "$quiet"; read -ra ne_abused <<< "$abused"; ne_rss=$rss; ne_held=$held

echo "$CLIENTS slowloris clients; $COUNT probes per case at $RATE/s, each on a new connection"
echo "slowloris at the end, opswatch: $ow_held; node_exporter: $ne_held"
printf '%-30s %12s %14s %8s\n' metric opswatch node_exporter ratio
row() { printf '%-30s %12s %14s %8s\n' "$1" "$2" "$3" "$(awk -v a="$2" -v b="$3" 'BEGIN{printf "%.3f", (b>0)?a/b:0}')"; }
row "quiet p50 (ms)" "${ow_quiet[0]}" "${ne_quiet[0]}"
row "quiet p99 (ms)" "${ow_quiet[1]}" "${ne_quiet[1]}"
row "under abuse p50 (ms)" "${ow_abused[0]}" "${ne_abused[0]}"
row "under abuse p99 (ms)" "${ow_abused[1]}" "${ne_abused[1]}"
row "under abuse max (ms)" "${ow_abused[2]}" "${ne_abused[2]}"
row "under abuse failures" "${ow_abused[3]}" "${ne_abused[3]}"
row "RSS under abuse (KiB)" "$ow_rss" "$ne_rss"
awk -v p99="${ow_abused[1]}" 'BEGIN { print "target: opswatch p99 under abuse < 100 ms: " (p99 < 100 ? "met" : "NOT met") }'
