#!/usr/bin/env bash
# Scrape cost, side by side: opswatch (disk collector on /) against prometheus-node-exporter with
# only its filesystem collector, both on loopback, driven by the same wrk load. Prints p50/p99
# latency, requests/s and RSS (idle and under load) for each, and opswatch/node_exporter ratios.
#   bench/scrape/run.sh [seconds per run, default 10]
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=${1:-10}
scripts/install-deps.sh --bench >/dev/null
cmake -S . -B build-bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DOPSWATCH_TESTS=OFF >/dev/null
cmake --build build-bench --target opswatch >/dev/null

work=$(mktemp -d)
cleanup() { kill "${pids[@]}" 2>/dev/null || true; rm -rf "$work"; }
pids=()
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }

cat > "$work/opswatch.yml" <<YML
global: {interval: 15s, timeout: 5s, state_dir: $work/state}
collectors:
  - {name: root-disk, type: disk, paths: [/]}
YML
ow_port=$(free_port)
build-bench/opswatch --config.file="$work/opswatch.yml" --web.listen-address="127.0.0.1:$ow_port" \
  --log.level=warn & pids+=($!); ow_pid=$!
ne_port=$(free_port)
prometheus-node-exporter --collector.disable-defaults --collector.filesystem \
  --web.listen-address="127.0.0.1:$ne_port" --log.level=warn 2>/dev/null & pids+=($!); ne_pid=$!
for p in $ow_port $ne_port; do
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$p/metrics" >/dev/null && break; sleep 0.1; done
done
sleep 2
ow_idle=$(rss_kb $ow_pid); ne_idle=$(rss_kb $ne_pid)

# wrk --latency prints "50%  1.23ms" style lines; normalise to microseconds.
to_us() { awk '{v=$1; if (v ~ /us$/) {sub(/us/,"",v); print v} else if (v ~ /ms$/) {sub(/ms/,"",v); print v*1000} else if (v ~ /s$/) {sub(/s/,"",v); print v*1000000}}'; }
run_wrk() {
  local out; out=$(wrk -t2 -c8 -d"${DURATION}s" --latency "http://127.0.0.1:$1/metrics")
  p50=$(echo "$out" | awk '$1=="50%" {print $2}' | to_us)
  p99=$(echo "$out" | awk '$1=="99%" {print $2}' | to_us)
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
}
run_wrk "$ow_port"; ow_p50=$p50; ow_p99=$p99; ow_rps=$rps; ow_load=$(rss_kb $ow_pid)
run_wrk "$ne_port"; ne_p50=$p50; ne_p99=$p99; ne_rps=$rps; ne_load=$(rss_kb $ne_pid)
ow_bytes=$(curl -s "http://127.0.0.1:$ow_port/metrics" | wc -c)
ne_bytes=$(curl -s "http://127.0.0.1:$ne_port/metrics" | wc -c)

printf '%-22s %12s %12s %10s\n' metric opswatch node_exporter ratio
row() { printf '%-22s %12s %12s %10s\n' "$1" "$2" "$3" "$(awk -v a="$2" -v b="$3" 'BEGIN{printf "%.3f", (b>0)?a/b:0}')"; }
row "p50 latency (us)" "$ow_p50" "$ne_p50"
row "p99 latency (us)" "$ow_p99" "$ne_p99"
row "requests/s" "$ow_rps" "$ne_rps"
row "idle RSS (KiB)" "$ow_idle" "$ne_idle"
row "RSS under load (KiB)" "$ow_load" "$ne_load"
row "exposition bytes" "$ow_bytes" "$ne_bytes"
echo "targets (issue 2): p50 ratio <= 0.2, idle RSS ratio <= 0.5"
