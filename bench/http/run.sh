#!/usr/bin/env bash
# Side-by-side: N local health endpoints probed by opswatch (one http collector, N targets, one
# curl multi loop) and by prometheus-blackbox-exporter (driven by drive.py at the same rate, one
# /probe per target per interval), one after the other against the same endpoint server.
# Prints CPU seconds per 1,000 probes and RSS for both, and the ratios (target: opswatch CPU per
# probe <= 0.25x blackbox's). Runnable by hand; not part of the test suite.
#
#   bench/http/run.sh                      # N=200 targets, 1s interval, 30s per prober
#   N=1000 INTERVAL=15 DURATION=60 bench/http/run.sh
#   OPSWATCH=build-x/opswatch bench/http/run.sh
#
# Needs: python3, curl, prometheus-blackbox-exporter (apt-get install prometheus-blackbox-exporter).
set -euo pipefail

N=${N:-200}
INTERVAL=${INTERVAL:-1}
DURATION=${DURATION:-30}
WARMUP=${WARMUP:-3}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
OPSWATCH=${OPSWATCH:-$ROOT/build/opswatch}
BLACKBOX=${BLACKBOX:-$(command -v prometheus-blackbox-exporter || true)}
[[ -x "$OPSWATCH" ]] || { echo "opswatch binary not found at $OPSWATCH (set OPSWATCH=)" >&2; exit 1; }
[[ -x "$BLACKBOX" ]] || { echo "prometheus-blackbox-exporter not installed" >&2; exit 1; }

WORK=$(mktemp -d)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

TICK=$(getconf CLK_TCK)
cpu_seconds() {  # utime + stime of a pid, in seconds
  awk -v tick="$TICK" '{ sub(/.*\) /, ""); print ($12 + $13) / tick }' "/proc/$1/stat"
}
rss_mib() { awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_http() {
  for _ in $(seq 100); do curl -sf -o /dev/null "$1" && return 0; sleep 0.1; done
  echo "no answer from $1" >&2; cat "$WORK"/*.log >&2 2>/dev/null; exit 1
}

# --- endpoints -----------------------------------------------------------------------------------
python3 "$HERE/endpoints.py" --port-file "$WORK/port" & PIDS+=($!)
for _ in $(seq 50); do [[ -s "$WORK/port" ]] && break; sleep 0.1; done
EPORT=$(cat "$WORK/port")
for i in $(seq 1 "$N"); do echo "http://127.0.0.1:$EPORT/health/$i"; done > "$WORK/targets.txt"
wait_http "http://127.0.0.1:$EPORT/health/0"

TIMEOUT_MS=$(python3 -c "print(max(100, int($INTERVAL * 900)))")

# --- opswatch ------------------------------------------------------------------------------------
OPORT=$(free_port)
{
  echo "global: {interval: ${INTERVAL}s, timeout: ${TIMEOUT_MS}ms, state_dir: $WORK/state}"
  echo "builtin_rules: false"
  echo "collectors:"
  echo "  - name: bench"
  echo "    type: http"
  echo "    checks: ['ok == true']"
  echo "    targets:"
  sed 's/^/      - /' "$WORK/targets.txt"
} > "$WORK/opswatch.yml"
"$OPSWATCH" --config.file="$WORK/opswatch.yml" --web.listen-address="127.0.0.1:$OPORT" \
  --log.level=warn 2> "$WORK/opswatch.log" & OPID=$!; PIDS+=("$OPID")
wait_http "http://127.0.0.1:$OPORT/-/healthy"
runs() {
  curl -s "http://127.0.0.1:$OPORT/metrics" |
    awk '/^opswatch_collector_runs_total\{.*collector="bench"/ { print $NF }'
}
up_count() {
  curl -s "http://127.0.0.1:$OPORT/metrics" | awk '/^opswatch_http_up\{/ && $NF == 1 { n++ } END { print n + 0 }'
}
sleep "$WARMUP"
O_RUNS0=$(runs); O_CPU0=$(cpu_seconds $OPID)
sleep "$DURATION"
O_RUNS1=$(runs); O_CPU1=$(cpu_seconds $OPID); O_RSS=$(rss_mib $OPID); O_UP=$(up_count)
kill $OPID; wait $OPID 2>/dev/null || true

# --- blackbox_exporter ---------------------------------------------------------------------------
BPORT=$(free_port)
cat > "$WORK/blackbox.yml" <<YML
modules:
  http_health:
    prober: http
    timeout: ${TIMEOUT_MS}ms
    http:
      fail_if_body_not_matches_regexp: ['"ok": ?true']
YML
"$BLACKBOX" --config.file="$WORK/blackbox.yml" --web.listen-address="127.0.0.1:$BPORT" \
  --log.level=warn 2> "$WORK/blackbox.log" & BPID=$!; PIDS+=("$BPID")
wait_http "http://127.0.0.1:$BPORT/metrics"
python3 "$HERE/drive.py" --blackbox "http://127.0.0.1:$BPORT" --targets "$WORK/targets.txt" \
  --interval "$INTERVAL" --duration "$WARMUP" > /dev/null
B_CPU0=$(cpu_seconds $BPID)
read -r B_PROBES B_OK < <(python3 "$HERE/drive.py" --blackbox "http://127.0.0.1:$BPORT" \
  --targets "$WORK/targets.txt" --interval "$INTERVAL" --duration "$DURATION")
B_CPU1=$(cpu_seconds $BPID); B_RSS=$(rss_mib $BPID)

# --- report --------------------------------------------------------------------------------------
python3 - "$N" "$INTERVAL" "$DURATION" "$O_RUNS0" "$O_RUNS1" "$O_CPU0" "$O_CPU1" "$O_RSS" "$O_UP" \
  "$B_PROBES" "$B_OK" "$B_CPU0" "$B_CPU1" "$B_RSS" <<'PY'
import sys
n, interval, duration = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
o_runs = float(sys.argv[5]) - float(sys.argv[4])
o_probes = o_runs * n
o_cpu = float(sys.argv[7]) - float(sys.argv[6])
o_rss, o_up = float(sys.argv[8]), int(sys.argv[9])
b_probes, b_ok = int(sys.argv[10]), int(sys.argv[11])
b_cpu = float(sys.argv[13]) - float(sys.argv[12])
b_rss = float(sys.argv[14])
o_per = o_cpu / o_probes * 1000 if o_probes else float("nan")
b_per = b_cpu / b_probes * 1000 if b_probes else float("nan")
print(f"{n} endpoints, one probe each per {interval:g}s, {duration:g}s measured per prober")
print(f"{'':12} {'probes':>8} {'ok':>6} {'CPU s':>8} {'CPU s/1000 probes':>18} {'RSS MiB':>8}")
print(f"{'opswatch':12} {o_probes:8.0f} {o_up:6d} {o_cpu:8.2f} {o_per:18.3f} {o_rss:8.1f}"
      "   (ok = targets up at the end)")
print(f"{'blackbox':12} {b_probes:8d} {b_ok:6d} {b_cpu:8.2f} {b_per:18.3f} {b_rss:8.1f}")
print(f"ratio opswatch/blackbox: CPU per probe {o_per / b_per:.3f}x, RSS {o_rss / b_rss:.2f}x"
      " (target: CPU <= 0.25x)")
PY
