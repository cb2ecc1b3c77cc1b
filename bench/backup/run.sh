#!/bin/sh
# Listing cost of the backup collector vs find(1) on 100,000 files (issue 3). Prints both mean
# times and their ratio; the collector's summary should cost about what find's listing costs.
# Usage: bench/backup/run.sh [COUNT] [RUNS]   (defaults 100000, 10). Needs g++ and the -dev
# packages the project builds with; builds only the backup collector's sources, in a temp dir.
set -eu
COUNT=${1:-100000}
RUNS=${2:-10}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/opswatch-backup-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

echo "building listing_bench (-O2)..."
g++ -std=c++20 -O2 -DNDEBUG -I"$SRC" -o "$WORK/listing_bench" \
  "$SRC/bench/backup/listing_bench.cpp" "$SRC/collectors/backup/backup_collector.cpp" \
  "$SRC/collectors/backup/backup_fs.cpp" "$SRC/collectors/backup/backup_glob.cpp" \
  "$SRC/collectors/backup/backup_verify_job.cpp" "$SRC/collectors/backup/backup_verify_gzip.cpp" \
  "$SRC/collectors/backup/backup_verify_tar.cpp" "$SRC/collectors/backup/backup_verify_pgdump.cpp" \
  "$SRC/collectors/backup/backup_verify_sha256.cpp" "$SRC/core/labels.cpp" -lz -lcrypto -lpthread

DIR="$WORK/backups"
echo "making $COUNT files in $DIR..."
"$WORK/listing_bench" make "$DIR" "$COUNT"

# Warm the dentry/inode caches once for both, so neither pays the first cold read.
find "$DIR" -name 'db_*.dump' -printf '%s %T@\n' > /dev/null
"$WORK/listing_bench" run "$DIR" 'db_*.dump' 1 > /dev/null

now_ns() { date +%s%N; }
start=$(now_ns)
i=0
while [ "$i" -lt "$RUNS" ]; do
  find "$DIR" -name 'db_*.dump' -printf '%s %T@\n' > /dev/null
  i=$((i + 1))
done
end=$(now_ns)
find_s=$(echo "$start $end $RUNS" | awk '{ printf "%.6f", ($2 - $1) / 1e9 / $3 }')

result=$("$WORK/listing_bench" run "$DIR" 'db_*.dump' "$RUNS")
read -r ours_s files _ <<EOF
$result
EOF
echo "files matched:            $files"
echo "find -printf (mean):      ${find_s}s"
echo "opswatch list+summary:    ${ours_s}s"
echo "$ours_s $find_s" | awk '{ printf "ratio opswatch/find:      %.2f\n", $1 / $2 }'
