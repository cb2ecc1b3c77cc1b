#!/bin/sh
# Parse cost of the exposition parser (scrape collector, command collector's prometheus output):
# samples per second on a 100,000-series exposition, and the time for hostile 10 MB inputs.
# Builds only the parser's sources with g++ -O2, in a temp dir.
#   bench/scrape_parse/run.sh [RUNS]    (default 20)
set -eu
RUNS=${1:-20}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/opswatch-parse-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
echo "building parse_bench (-O2)..."
g++ -std=c++20 -O2 -DNDEBUG -I"$SRC" -o "$WORK/parse_bench" "$SRC/bench/scrape_parse/parse_bench.cpp" \
  "$SRC"/collectors/exposition_*.cpp "$SRC/core/labels.cpp" "$SRC/core/utf8.cpp"
"$WORK/parse_bench" "$RUNS"
