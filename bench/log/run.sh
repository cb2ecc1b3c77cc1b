#!/usr/bin/env bash
# Log reading cost side by side with mtail (issue 17): the same file read from its start by both,
# for a plain regex count (grep -ciE "error|failed") and a JSON field match (event ==
# "reports.slow_query" && totalMs > 2000). Prints lines per CPU-second and peak RSS of each and
# the ratios (goal: >= 2x mtail's throughput, <= 0.5x its RSS). Both counts are printed too:
# a benchmark of different answers would mean nothing.
#   bench/log/run.sh [LINES]     (default 2,000,000 lines per file)
# opswatch's figure includes its start-up and the runs that find nothing new; mtail runs in its
# --one_shot mode (compile, read to EOF, print, exit), its cheapest.
set -euo pipefail
cd "$(dirname "$0")/../.."
lines=${1:-2000000}
# shellcheck source=bench/lib.sh
source bench/lib.sh

echo "writing $lines plain and $lines JSON lines..."
python3 - "$work" "$lines" <<'PY'
import sys
work, n = sys.argv[1], int(sys.argv[2])
with open(f"{work}/plain.log", "w") as out:
    for i in range(n):
        level = "ERROR" if i % 50 == 0 else ("WARN" if i % 7 == 0 else "INFO")
        verb = "failed" if i % 50 == 0 else "completed"
        out.write(f"2026-12-03T10:{i // 60 % 60:02d}:{i % 60:02d}Z {level} archiver job {i} {verb} in {i % 997}ms\n")
with open(f"{work}/events.ndjson", "w") as out:
    for i in range(n):
        event = "reports.slow_query" if i % 10 == 0 else "reports.done"
        out.write(f'{{"ts":"2026-12-03T10:00:00Z","event":"{event}","totalMs":{(i * 37) % 5000},'
                  f'"report":"r{i % 20}","endpoint":"/api/reports/{i % 20}","correlationId":"c{i}"}}\n')
PY

clk_tck=$(getconf CLK_TCK)
# cpu_seconds PID: user + system CPU of a running process.
cpu_seconds() { awk -v t="$clk_tck" '{ printf "%.3f", ($14 + $15) / t }' "/proc/$1/stat"; }
hwm_kib() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status"; }

# run_opswatch NAME FORMAT EVENT-YAML FILE: prints "cpu_seconds peak_kib count".
run_opswatch() {
  local name=$1 format=$2 event=$3 file=$4
  cat > "$work/$name.yml" <<YML
global: {interval: 1s, timeout: 1s, state_dir: $work/state-$name}
builtin_rules: false
collectors:
  - name: $name
    type: log
    format: $format
    from_beginning: true
    paths: [$file]
    events: [$event]
YML
  local port
  port=$(free_port)
  build-bench/opswatch --config.file="$work/$name.yml" --web.listen-address="127.0.0.1:$port" \
    --log.level=warn &
  local pid=$!
  pids+=("$pid")
  local read=0
  for _ in $(seq 1200); do
    read=$(curl -sf "http://127.0.0.1:$port/metrics" |
      awk '/^opswatch_log_lines_total/ {print $2}' || true)
    [ "${read:-0}" = "$lines" ] && break
    sleep 0.1
  done
  [ "${read:-0}" = "$lines" ] || { echo "opswatch did not finish $file (read ${read:-0})" >&2; exit 1; }
  local count
  count=$(curl -sf "http://127.0.0.1:$port/metrics" |
    awk '/^opswatch_log_events_total/ {print $2}')
  echo "$(cpu_seconds "$pid") $(hwm_kib "$pid") $count"
  kill "$pid"
  wait "$pid" 2>/dev/null || true
}

# run_mtail PROGRAM FILE: prints "cpu_seconds peak_kib count".
run_mtail() {
  mkdir -p "$work/progs-$1"
  cp "$work/$1.mtail" "$work/progs-$1/"
  local out
  out=$( { /usr/bin/time -f "TIME %U %S %M" mtail --one_shot --one_shot_format=prometheus \
    --progs "$work/progs-$1" --logs "$2" --logtostderr=false 2>&1; } 2>&1)
  local count
  count=$(echo "$out" | awk '/^(errors|slow)\{/ || /^(errors|slow) / {print $NF}' | head -1)
  echo "$out" | awk -v c="$count" '/^TIME/ { printf "%.3f %d %s\n", $2 + $3, $4, c }'
}

cat > "$work/plain.mtail" <<'MT'
counter errors
/(?i)error|failed/ {
  errors++
}
MT
cat > "$work/json.mtail" <<'MT'
counter slow
/"event":"reports\.slow_query".*"totalMs":(?P<ms>\d+)/ {
  $ms > 2000 {
    slow++
  }
}
MT

report() {  # report CASE OURS THEIRS
  read -r ow_cpu ow_kib ow_count <<<"$2"
  read -r mt_cpu mt_kib mt_count <<<"$3"
  echo "== $1"
  echo "  matches:          opswatch $ow_count, mtail $mt_count"
  awk -v n="$lines" -v a="$ow_cpu" -v b="$mt_cpu" 'BEGIN {
    printf "  lines/CPU-second: opswatch %.0f, mtail %.0f (%.2fx)\n", n / a, n / b, b / a }'
  awk -v a="$ow_kib" -v b="$mt_kib" 'BEGIN {
    printf "  peak RSS:         opswatch %.1f MiB, mtail %.1f MiB (%.2fx)\n", a / 1024, b / 1024, a / b }'
}

report "plain regex count (error|failed)" \
  "$(run_opswatch plain text "{name: errors, regex: '(?i)error|failed'}" "$work/plain.log")" \
  "$(run_mtail plain "$work/plain.log")"
report "JSON field match (event, totalMs > 2000)" \
  "$(run_opswatch json json "{name: slow, match: 'event == \"reports.slow_query\" && totalMs > 2000'}" "$work/events.ndjson")" \
  "$(run_mtail json "$work/events.ndjson")"
