# shellcheck shell=bash
# Shared setup for the side-by-side benchmarks that pit opswatch's /metrics against
# prometheus-node-exporter on loopback (bench/scrape, bench/abuse). Source it after `cd` to the
# repository root; it builds opswatch in Release (build-bench), makes $work (removed on exit, with
# every process in $pids) and provides:
#   start_opswatch_disk          opswatch with one disk collector on /: sets ow_port, ow_pid
#   start_node_exporter NAME     node_exporter with only collector NAME: sets ne_port, ne_pid
#   wait_for_metrics PORT...     until each answers /metrics (10 s at most)
#   use_https                    both serve HTTPS with basic auth from one web-config file (call
#                                before starting them): sets scheme, curl_opts, auth_header
#   rss_kib PID                  resident set size in KiB
scripts/install-deps.sh --bench >/dev/null
cmake -S . -B build-bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DOPSWATCH_TESTS=OFF >/dev/null
CMAKE_BUILD_PARALLEL_LEVEL=${CMAKE_BUILD_PARALLEL_LEVEL:-2} \
  cmake --build build-bench --target opswatch >/dev/null

work=$(mktemp -d)
pids=()
bench_cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"; }
trap bench_cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }

# Read by the scripts that source this file.
# shellcheck disable=SC2034
scheme=http
curl_opts=()
web_args=()
auth_header="X-Bench: plain"
use_https() {
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 \
    -subj /CN=localhost -addext subjectAltName=IP:127.0.0.1 \
    -keyout "$work/server.key" -out "$work/server.crt" 2>/dev/null
  local hash
  hash=$(python3 -W ignore -c 'import crypt; print(crypt.crypt("bench", crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=1024)))')
  cat > "$work/web.yml" <<YML
tls_server_config: {cert_file: $work/server.crt, key_file: $work/server.key}
basic_auth_users: {bench: '$hash'}
YML
  scheme=https
  curl_opts=(-k -u bench:bench)
  web_args=(--web.config.file="$work/web.yml")
  # shellcheck disable=SC2034
  auth_header="Authorization: Basic $(printf bench:bench | base64)"
}

start_opswatch_disk() {
  cat > "$work/opswatch.yml" <<YML
global: {interval: 15s, timeout: 5s, state_dir: $work/state}
collectors:
  - {name: root-disk, type: disk, paths: [/]}
YML
  ow_port=$(free_port)
  build-bench/opswatch --config.file="$work/opswatch.yml" \
    --web.listen-address="127.0.0.1:$ow_port" --log.level=warn "${web_args[@]}" &
  ow_pid=$!
  pids+=("$ow_pid")
}

start_node_exporter() {
  ne_port=$(free_port)
  prometheus-node-exporter --collector.disable-defaults "--collector.$1" \
    --web.listen-address="127.0.0.1:$ne_port" --log.level=warn "${web_args[@]}" 2>/dev/null &
  ne_pid=$!
  pids+=("$ne_pid")
}

wait_for_metrics() {
  for p in "$@"; do
    for _ in $(seq 100); do
      curl -sf "${curl_opts[@]}" "$scheme://127.0.0.1:$p/metrics" >/dev/null && break
      sleep 0.1
    done
  done
}
