#!/usr/bin/env bash
# Rule evaluation, side by side: opswatch's RuleManager round (round_bench) against a real
# Prometheus evaluating the same 1,000 alerting rules over the same 10,000 series (served by
# series_server.py with the same values per scrape), both on this machine. Prometheus's figure is
# its own prometheus_rule_group_last_duration_seconds, read after every evaluation once the
# 2-minute warm-up has filled most range windows; opswatch's is the median wall time of a round.
# Both in the "quiet" scenario (thresholds nothing crosses: the usual state) and the "storm" one
# (about 18,000 alerts active at once). Prints the medians and opswatch/Prometheus ratios.
#   bench/rules/run.sh [seconds of Prometheus measurement per scenario, default 60]
set -euo pipefail
cd "$(dirname "$0")/../.."
MEASURE=${1:-60}
scripts/install-deps.sh --bench >/dev/null
cmake -G Ninja -S bench/rules -B build-bench-rules -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build-bench-rules >/dev/null

work=$(mktemp -d)
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
median() { sort -g | awk '{v[NR]=$1} END {if (NR == 0) print "nan"; else print v[int((NR+1)/2)]}'; }

echo "== opswatch: build-bench-rules/rules_bench (PromQL only) and round_bench (whole round)"
build-bench-rules/rules_bench
round_out=$(build-bench-rules/round_bench)
echo "$round_out"

for scenario in quiet storm; do
  echo "== Prometheus, $scenario: 1,000 rules, 10,000 series, scrape and evaluation every 5 s"
  build-bench-rules/round_bench --rule-file "$scenario" >"$work/rules-$scenario.yml"
  promtool check rules "$work/rules-$scenario.yml" >/dev/null
  series_port=$(free_port)
  python3 bench/rules/series_server.py "$series_port" & pids+=($!)
  series_pid=$!
  prom_port=$(free_port)
  cat >"$work/prometheus-$scenario.yml" <<YML
global: {scrape_interval: 5s, evaluation_interval: 5s}
rule_files: [$work/rules-$scenario.yml]
scrape_configs:
  - job_name: series
    static_configs: [{targets: ['127.0.0.1:$series_port']}]
YML
  prometheus --config.file="$work/prometheus-$scenario.yml" --storage.tsdb.path="$work/tsdb-$scenario" \
    --web.listen-address="127.0.0.1:$prom_port" --log.level=warn 2>"$work/prometheus-$scenario.log" &
  pids+=($!)
  prom_pid=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$prom_port/-/ready" >/dev/null && break; sleep 0.2; done
  echo "   warming up for 120 s (range windows fill)..."
  sleep 120
  samples=()
  deadline=$((SECONDS + MEASURE))
  last=""
  while [ "$SECONDS" -lt "$deadline" ]; do
    v=$(curl -sf "http://127.0.0.1:$prom_port/metrics" |
      awk '/^prometheus_rule_group_last_duration_seconds\{/ {print $2}')
    if [ -n "$v" ] && [ "$v" != "$last" ]; then samples+=("$v"); last=$v; fi
    sleep 5
  done
  active=$(curl -sf "http://127.0.0.1:$prom_port/api/v1/alerts" | grep -o '"state":"firing"' | wc -l || true)
  kill "$prom_pid" "$series_pid" 2>/dev/null || true
  prom_ms=$(printf '%s\n' "${samples[@]}" | awk '{print $1 * 1000}' | median)
  ow_ms=$(echo "$round_out" | awk -v s="$scenario" '$1 == s && $2 == "state_dir" {print $NF}')
  printf '   Prometheus: median %.2f ms per round over %d evaluations (%s alerts firing at the end)\n' \
    "$prom_ms" "${#samples[@]}" "${active:-?}"
  printf '   opswatch:   median %.2f ms per round (round_bench, %s, with state_dir)\n' "$ow_ms" "$scenario"
  awk -v a="$ow_ms" -v b="$prom_ms" -v s="$scenario" \
    'BEGIN {if (b > 0) printf "   ratio %s: opswatch/Prometheus = %.3f\n", s, a / b}'
done
