#!/usr/bin/env bash
# Soak: opswatch under an hour of everything that changes at once, printing RSS, open file
# descriptors and threads every minute, so a leak shows as a slope after warm-up.
#   - a reload every 10 s (SIGHUP), alternating between two configs
#   - an http target flapping between healthy, failing checks and refusing connections
#   - a webhook receiver that answers 503 to half the requests and hangs on some
#   - /metrics, /health and /api/v1/rules scraped every second
#   bench/soak/run.sh [seconds, default 3600] [build dir, default build-bench]
# Ends with the RSS and fd figures at warm-up (one fifth of the run) and at the end.
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=${1:-3600}
BUILD=${2:-build-bench}
if [ ! -x "$BUILD/opswatch" ]; then
  scripts/install-deps.sh --bench >/dev/null
  cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DOPSWATCH_TESTS=OFF >/dev/null
  cmake --build "$BUILD" --target opswatch >/dev/null
fi

work=$(mktemp -d)
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# The flapping target and the failing receiver: one small Python server on two paths.
peer_port=$(free_port)
python3 - "$peer_port" <<'PY' & pids+=($!)
import http.server, json, random, socketserver, sys, threading, time
class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args): pass
    def do_GET(self):
        phase = int(time.time() / 20) % 3      # healthy, failing check, 500
        if phase == 2:
            self.send_response(500); self.end_headers(); return
        body = json.dumps({"ok": phase == 0, "n": random.random()}).encode()
        self.send_response(200); self.send_header("Content-Length", str(len(body))); self.end_headers()
        self.wfile.write(body)
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        r = random.random()
        if r < 0.05: time.sleep(15)            # longer than the receiver timeout
        self.send_response(503 if r < 0.5 else 200); self.end_headers()
class Server(socketserver.ThreadingMixIn, http.server.HTTPServer): daemon_threads = True
Server(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
PY

mkdir -p "$work/rules"
cat > "$work/rules/soak.yml" <<YML
groups:
  - name: soak
    rules:
      - alert: AppUnhealthy
        expr: opswatch_http_up == 0
        labels: {severity: critical}
        annotations: {summary: "{{ \$labels.target }} down ({{ \$value }})"}
      - record: soak:collector_up:avg
        expr: avg(opswatch_collector_up)
YML
write_config() {
  cat > "$work/opswatch.yml" <<YML
global: {interval: $1, timeout: 1s, evaluation_interval: $1, state_dir: $work/state}
collectors:
  - {name: root-disk, type: disk, paths: [/, /tmp]}
  - name: app
    type: http
    targets: [http://127.0.0.1:$peer_port/health, http://127.0.0.1:1/refused]
    checks: ['ok == true']
    export: [n]
rule_files: [rules/*.yml]
alerting:
  receivers:
    - {name: hook, type: webhook, url: "http://127.0.0.1:$peer_port/hook", group_wait: 0s,
       group_interval: 5s, repeat_interval: 1m, timeout: 5s,
       retry: {initial: 200ms, max_interval: 5s, max_elapsed: 10m}}
YML
}
write_config 2s
ow_port=$(free_port)
"$BUILD/opswatch" --config.file="$work/opswatch.yml" --web.listen-address="127.0.0.1:$ow_port" \
  --log.level=error 2>"$work/opswatch.log" & pids+=($!)
ow_pid=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$ow_port/-/ready" >/dev/null && break; sleep 0.1; done

( while :; do
    for path in metrics health api/v1/rules; do curl -s -o /dev/null "http://127.0.0.1:$ow_port/$path"; done
    sleep 1
  done ) & pids+=($!)

rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$ow_pid/status"; }
fds() { find "/proc/$ow_pid/fd" -mindepth 1 -maxdepth 1 | wc -l; }
threads() { awk '/Threads/ {print $2}' "/proc/$ow_pid/status"; }

printf '%8s %10s %6s %8s %8s\n' seconds rss_kib fds threads reloads
start=$(date +%s)
reloads=0
warm_rss=""; warm_fds=""
next_print=0
while :; do
  elapsed=$(($(date +%s) - start))
  [ "$elapsed" -lt "$DURATION" ] || break
  kill -0 "$ow_pid" 2>/dev/null || { echo "soak: opswatch exited"; tail -20 "$work/opswatch.log"; exit 1; }
  if [ "$elapsed" -ge "$next_print" ]; then
    printf '%8d %10d %6d %8d %8d\n' "$elapsed" "$(rss_kb)" "$(fds)" "$(threads)" "$reloads"
    next_print=$((next_print + 60))
  fi
  if [ -z "$warm_rss" ] && [ "$elapsed" -ge $((DURATION / 5)) ]; then
    warm_rss=$(rss_kb); warm_fds=$(fds)
  fi
  sleep 10
  if [ $((reloads % 2)) -eq 0 ]; then write_config 3s; else write_config 2s; fi
  kill -HUP "$ow_pid"
  reloads=$((reloads + 1))
done
end_rss=$(rss_kb); end_fds=$(fds)
echo "soak: $reloads reloads in ${DURATION}s; RSS ${warm_rss} KiB after warm-up -> ${end_rss} KiB at the end;" \
  "fds ${warm_fds} -> ${end_fds}"
failed=$(curl -s "http://127.0.0.1:$ow_port/metrics" | awk '/^opswatch_config_last_reload_successful/ {print $2}')
echo "soak: last reload successful: $failed"
