#!/usr/bin/env bash
# Scrape cost, side by side: opswatch (disk collector on /) against prometheus-node-exporter with
# only its filesystem collector, both on loopback, driven by the same wrk load. Prints p50/p99
# latency, requests/s and RSS (idle and under load) for each, and opswatch/node_exporter ratios.
# With --https both serve HTTPS with basic auth from the same web-config file (keep-alive
# connections, as Prometheus scrapes: the cost of TLS records and of checking credentials).
#   bench/scrape/run.sh [seconds per run, default 10] [--https]
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=${1:-10}
HTTPS=${2:-}
# shellcheck source=bench/lib.sh source-path=SCRIPTDIR/../..
source bench/lib.sh
if [ "$HTTPS" = --https ]; then use_https; fi
start_opswatch_disk
start_node_exporter filesystem
wait_for_metrics "$ow_port" "$ne_port"
sleep 2
ow_idle=$(rss_kib $ow_pid); ne_idle=$(rss_kib $ne_pid)

# wrk --latency prints "50%  1.23ms" style lines; normalise to microseconds.
to_us() { awk '{v=$1; if (v ~ /us$/) {sub(/us/,"",v); print v} else if (v ~ /ms$/) {sub(/ms/,"",v); print v*1000} else if (v ~ /s$/) {sub(/s/,"",v); print v*1000000}}'; }
run_wrk() {
  local out
  out=$(wrk -t2 -c8 -d"${DURATION}s" --latency -H "$auth_header" "$scheme://127.0.0.1:$1/metrics")
  p50=$(echo "$out" | awk '$1=="50%" {print $2}' | to_us)
  p99=$(echo "$out" | awk '$1=="99%" {print $2}' | to_us)
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
}
run_wrk "$ow_port"; ow_p50=$p50; ow_p99=$p99; ow_rps=$rps; ow_load=$(rss_kib $ow_pid)
run_wrk "$ne_port"; ne_p50=$p50; ne_p99=$p99; ne_rps=$rps; ne_load=$(rss_kib $ne_pid)
ow_bytes=$(curl -s "${curl_opts[@]}" "$scheme://127.0.0.1:$ow_port/metrics" | wc -c)
ne_bytes=$(curl -s "${curl_opts[@]}" "$scheme://127.0.0.1:$ne_port/metrics" | wc -c)

echo "scheme: $scheme"
printf '%-22s %12s %12s %10s\n' metric opswatch node_exporter ratio
row() { printf '%-22s %12s %12s %10s\n' "$1" "$2" "$3" "$(awk -v a="$2" -v b="$3" 'BEGIN{printf "%.3f", (b>0)?a/b:0}')"; }
row "p50 latency (us)" "$ow_p50" "$ne_p50"
row "p99 latency (us)" "$ow_p99" "$ne_p99"
row "requests/s" "$ow_rps" "$ne_rps"
row "idle RSS (KiB)" "$ow_idle" "$ne_idle"
row "RSS under load (KiB)" "$ow_load" "$ne_load"
row "exposition bytes" "$ow_bytes" "$ne_bytes"
echo "targets (issue 2): p50 ratio <= 0.2, idle RSS ratio <= 0.5"
