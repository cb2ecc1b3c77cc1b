#!/usr/bin/env bash
# Runs one test executable N times in a row while other processes keep every core busy, and stops
# at the first failure. A flaky test shows here; the test suite's single run may not catch it.
#
#   scripts/repeat-test.sh [-n COUNT] [-b BUILD_DIR] TEST [TEST ARGS...]
#   scripts/repeat-test.sh -n 30 -b build-asan e2e_notify_restart_test
#
# TEST is a CTest name (kind_file, e.g. e2e_notify_restart_test) built in BUILD_DIR/tests
# (default build-asan: scripts/test.sh builds it). The load is one busy loop per core.
set -euo pipefail
cd "$(dirname "$0")/.."
count=30
build="build-asan"
while getopts "n:b:" opt; do
  case $opt in
    n) count=$OPTARG ;;
    b) build=$OPTARG ;;
    *) exit 2 ;;
  esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || { echo "usage: $0 [-n COUNT] [-b BUILD_DIR] TEST [ARGS...]" >&2; exit 2; }
test_binary="$build/tests/$1"
shift
[ -x "$test_binary" ] || { echo "repeat-test: $test_binary not built" >&2; exit 2; }

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

hogs=()
cleanup() { [ ${#hogs[@]} -eq 0 ] || kill "${hogs[@]}" 2>/dev/null || true; }
trap cleanup EXIT
for _ in $(seq "$(nproc)"); do
  (while :; do :; done) &
  hogs+=($!)
done

log=$(mktemp)
for i in $(seq "$count"); do
  start=$(date +%s%N)
  if ! "$test_binary" "$@" >"$log" 2>&1; then
    cat "$log"
    echo "repeat-test: run $i of $count FAILED ($(nproc) busy loops running)"
    exit 1
  fi
  echo "repeat-test: run $i of $count passed in $((($(date +%s%N) - start) / 1000000)) ms"
done
rm -f "$log"
echo "repeat-test: $count of $count passed under load"
