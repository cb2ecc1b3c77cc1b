#!/usr/bin/env bash
# Side-by-side: opswatch's postgres collector vs prometheus-postgres-exporter, both against the same
# throwaway PostgreSQL. Prints scrape latency (median, p90), one collection cycle, and RSS, as
# ratios opswatch / postgres_exporter. Run by hand; not part of the test suite.
#
#   bench/postgres/run.sh [SCRAPES]            (default 200)
#   OPSWATCH_BIN=path/to/opswatch bench/postgres/run.sh
#
# Needs: postgresql (server), prometheus-postgres-exporter, curl, python3; as root the server runs
# as the postgres user.
set -euo pipefail

SCRAPES=${1:-200}
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
OPSWATCH_BIN=${OPSWATCH_BIN:-}
if [[ -z $OPSWATCH_BIN ]]; then
  for candidate in "$SRC"/build/opswatch "$SRC"/build-*/opswatch; do
    if [[ -x $candidate ]]; then OPSWATCH_BIN=$candidate; break; fi
  done
fi
[[ -x ${OPSWATCH_BIN:-} ]] || { echo "opswatch binary not found; set OPSWATCH_BIN" >&2; exit 1; }
PGX=$(command -v prometheus-postgres-exporter || true)
[[ -n $PGX ]] || { echo "install prometheus-postgres-exporter (apt-get install -y prometheus-postgres-exporter)" >&2; exit 1; }
BIN_DIR=$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -1)
[[ -x $BIN_DIR/initdb ]] || { echo "no PostgreSQL server under /usr/lib/postgresql" >&2; exit 1; }

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}
as_pg() {
  if [[ $(id -u) == 0 ]]; then runuser -u postgres -- env -C "$WORK" "$@"; else env -C "$WORK" "$@"; fi
}

WORK=$(mktemp -d /tmp/opswatch-pgbench-XXXXXX)
chmod 755 "$WORK"
[[ $(id -u) == 0 ]] && chown postgres "$WORK"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  as_pg "$BIN_DIR/pg_ctl" -D "$WORK/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

PG_PORT=$(free_port)
as_pg "$BIN_DIR/initdb" -D "$WORK/data" -U postgres --auth=trust --no-sync >/dev/null
cat >>"$WORK/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$WORK'
fsync = off
CONF
as_pg "$BIN_DIR/pg_ctl" -D "$WORK/data" -l "$WORK/server.log" -w start >/dev/null
PSQL=("$BIN_DIR/psql" -X -q -h 127.0.0.1 -p "$PG_PORT" -U postgres)
# Something to measure: a few databases and a table with rows.
for db in app1 app2 app3; do "${PSQL[@]}" -c "CREATE DATABASE $db" postgres; done
"${PSQL[@]}" -c "CREATE TABLE audit_logs AS SELECT g AS id, md5(g::text) AS body FROM generate_series(1, 100000) g" app1

DSN="postgresql://postgres@127.0.0.1:$PG_PORT/app1?sslmode=disable"
PGX_PORT=$(free_port)
# The same custom query for both, so both do the same work per cycle.
cat >"$WORK/pgx-queries.yaml" <<YAML
audit_logs:
  query: "SELECT count(*) AS rows FROM audit_logs"
  metrics:
    - rows:
        usage: "GAUGE"
        description: "Rows in audit_logs"
YAML
DATA_SOURCE_NAME="$DSN" "$PGX" --web.listen-address="127.0.0.1:$PGX_PORT" \
  --extend.query-path="$WORK/pgx-queries.yaml" >"$WORK/pgx.log" 2>&1 &
PIDS+=($!); PGX_PID=$!

OW_PORT=$(free_port)
cat >"$WORK/opswatch.yml" <<YAML
global:
  interval: 1s
  timeout: 1s
  state_dir: $WORK/state
collectors:
  - name: db
    type: postgres
    dsn: "$DSN"
    queries:
      - metric: opswatch_pg_audit_logs_rows
        help: Rows in audit_logs
        sql: SELECT count(*) AS value FROM audit_logs
builtin_rules: false
YAML
"$OPSWATCH_BIN" --config.file="$WORK/opswatch.yml" --web.listen-address="127.0.0.1:$OW_PORT" \
  --log.level=warn >"$WORK/opswatch.log" 2>&1 &
PIDS+=($!); OW_PID=$!

wait_http() {
  for _ in $(seq 100); do curl -fs -o /dev/null "$1" && return 0; sleep 0.1; done
  echo "no answer from $1" >&2; cat "$WORK"/*.log >&2; exit 1
}
wait_http "http://127.0.0.1:$PGX_PORT/metrics"
wait_http "http://127.0.0.1:$OW_PORT/metrics"
sleep 2  # opswatch: a couple of collection rounds

# Scrape latencies in seconds, one per line.
scrape() {
  for _ in $(seq "$SCRAPES"); do curl -s -o /dev/null -w '%{time_total}\n' "$1"; done
}
PGX_TIMES=$(scrape "http://127.0.0.1:$PGX_PORT/metrics")
OW_TIMES=$(scrape "http://127.0.0.1:$OW_PORT/metrics")

# One collection cycle: postgres_exporter collects while it is scraped; opswatch reports its own
# collector duration, sampled over ~20 of its 1s rounds (median of the distinct values).
OW_CYCLES=""
for _ in $(seq 20); do
  OW_CYCLES+=" $(curl -s "http://127.0.0.1:$OW_PORT/metrics" |
    awk '/^opswatch_collector_duration_seconds\{.*collector="db"/ {v = $NF} END {print v}')"
  sleep 1
done
OW_CYCLE=$(echo "$OW_CYCLES" | tr ' ' '\n' | awk NF | sort -u | sort -g |
  awk '{v[NR] = $1} END {print (NR ? v[int((NR + 1) / 2)] : "nan")}')
PGX_UP=$(curl -s "http://127.0.0.1:$PGX_PORT/metrics" | awk '/^pg_up / {print $2}')
OW_UP=$(curl -s "http://127.0.0.1:$OW_PORT/metrics" | awk '/^opswatch_pg_up/ {v = $NF} END {print v}')
rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
PGX_RSS=$(rss_kib "$PGX_PID")
OW_RSS=$(rss_kib "$OW_PID")
PGX_SERIES=$(curl -s "http://127.0.0.1:$PGX_PORT/metrics" | grep -vc '^#')
OW_SERIES=$(curl -s "http://127.0.0.1:$OW_PORT/metrics" | grep -vc '^#')

python3 - "$PGX_TIMES" "$OW_TIMES" "${OW_CYCLE:-nan}" "$PGX_RSS" "$OW_RSS" "$PGX_UP" "$OW_UP" \
  "$PGX_SERIES" "$OW_SERIES" "$SCRAPES" <<'PY'
import statistics, sys
pgx = sorted(float(x) for x in sys.argv[1].split())
ow = sorted(float(x) for x in sys.argv[2].split())
cycle, pgx_rss, ow_rss = float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
p90 = lambda xs: xs[int(0.9 * (len(xs) - 1))]
print(f"scrapes each: {sys.argv[10]}   up: postgres_exporter={sys.argv[6]} opswatch={sys.argv[7]}")
print(f"series exposed: postgres_exporter={sys.argv[8]} opswatch={sys.argv[9]} (opswatch has fewer, chosen metrics)")
print(f"{'':34}{'postgres_exporter':>18}{'opswatch':>12}{'ratio':>10}")
def row(name, a, b, unit):
    print(f"{name:34}{a:>15.3f}{unit:>3}{b:>9.3f}{unit:>3}{b / a if a else float('nan'):>10.3f}")
row("scrape latency median", statistics.median(pgx) * 1e3, statistics.median(ow) * 1e3, "ms")
row("scrape latency p90", p90(pgx) * 1e3, p90(ow) * 1e3, "ms")
row("one collection cycle", statistics.median(pgx) * 1e3, cycle * 1e3, "ms")
row("RSS", pgx_rss / 1024, ow_rss / 1024, "MiB")
print("ratio = opswatch / postgres_exporter (below 1 is better for opswatch). opswatch serves")
print("/metrics from its last snapshot, so its scrape never waits on PostgreSQL; the collection")
print("cycle row compares its own collector duration with a postgres_exporter scrape.")
PY
