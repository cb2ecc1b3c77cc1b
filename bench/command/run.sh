#!/bin/sh
# Per-run overhead of the command collector (fork + exec + reading stdout/stderr + reap + Nagios
# parsing) against running the same command from a shell loop (fork + exec + wait in dash), printed
# as a ratio; the goal is at most 1.2x. Usage: bench/command/run.sh [RUNS]   (default 2000).
# Runs check_dummy from monitoring-plugins-basic when installed, else /bin/echo with plugin-like
# output. Builds only the sources it needs, with g++ -O2, in a temp dir.
set -eu
RUNS=${1:-2000}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/opswatch-command-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

echo "building command_bench (-O2)..."
g++ -std=c++20 -O2 -DNDEBUG -I"$SRC" -o "$WORK/command_bench" \
  "$SRC/bench/command/command_bench.cpp" "$SRC/collectors/process_runner.cpp" \
  "$SRC/collectors/command/command_perfdata.cpp" "$SRC/core/utf8.cpp"

if [ -x /usr/lib/nagios/plugins/check_dummy ]; then
  set -- /usr/lib/nagios/plugins/check_dummy 0 "OK | a=1s;2;3;0;10"
else
  set -- /bin/echo "OK | a=1s;2;3;0;10"
fi
echo "command: $*  ($RUNS runs each)"

# Warm the page cache and the dynamic loader's caches for both.
"$WORK/command_bench" 50 "$@" > /dev/null

now_ns() { date +%s%N; }
start=$(now_ns)
i=0
while [ "$i" -lt "$RUNS" ]; do
  "$@" > /dev/null 2>&1
  i=$((i + 1))
done
end=$(now_ns)
shell_s=$(echo "$start $end $RUNS" | awk '{ printf "%.9f", ($2 - $1) / 1e9 / $3 }')

read -r ours_s data <<RESULT
$("$WORK/command_bench" "$RUNS" "$@")
RESULT
echo "perfdata parsed per run:     $((data / RUNS))"
echo "shell loop (mean per run):   $(echo "$shell_s" | awk '{ printf "%.1f us", $1 * 1e6 }')"
echo "opswatch runner (mean):      $(echo "$ours_s" | awk '{ printf "%.1f us", $1 * 1e6 }')"
echo "$ours_s $shell_s" | awk '{ printf "ratio opswatch/shell:        %.2fx (goal <= 1.2x)\n", $1 / $2 }'
