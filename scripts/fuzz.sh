#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz/*_fuzz.cpp) with clang, ASan and UBSan in build-fuzz and
# runs each one for a while over its seed corpus (tests/fuzz/corpus/<target>/, replayed first, so
# every past finding kept there is a regression test). Fails on any finding: a crash, a sanitizer
# report, a violated property, a timeout or running out of memory.
#   scripts/fuzz.sh [seconds-per-target] [target...]     (default: 20 seconds, every target)
# New inputs the fuzzer finds go to build-fuzz/corpus/<target>/ (not the repository); a finding is
# written to build-fuzz/findings/ - fix the bug, then add the input to the target's seed corpus.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-20}
shift || true
build="build-fuzz"

# Input sizes that cover each format's seeds with room to grow (a config file, one expression,
# one template, a check plus a small body, a small archive, a small exposition).
declare -A max_len=([config_fuzz]=16384 [promql_fuzz]=4096 [template_fuzz]=4096
                    [http_check_fuzz]=8192 [backup_fuzz]=32768
                    [exposition_fuzz]=8192 [log_line_fuzz]=4096)

launcher=()
if command -v ccache >/dev/null; then
  launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DOPSWATCH_SANITIZE=ON -DOPSWATCH_FUZZ=ON -DOPSWATCH_TESTS=OFF "${launcher[@]}" >/dev/null

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for source in tests/fuzz/*_fuzz.cpp; do targets+=("$(basename "$source" .cpp)"); done
fi
cmake --build "$build" -j "$(nproc)" --target "${targets[@]}"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
mkdir -p "$build/findings"
failed=()
for target in "${targets[@]}"; do
  name=${target%_fuzz}
  seeds=tests/fuzz/corpus/$name
  work=$build/corpus/$name
  log=$build/findings/$target.log
  mkdir -p "$work"
  status=0
  "$build/tests/fuzz/$target" "$work" "$seeds" -max_total_time="$seconds" \
    -max_len="${max_len[$target]:-8192}" -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="$build/findings/$target-" -print_final_stats=1 >"$log" 2>&1 || status=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  units=$(find "$work" -type f | wc -l)
  if [ "$status" -eq 0 ]; then
    echo "fuzz: $target ok: ${execs:-?} executions in ${seconds}s (corpus: $(find "$seeds" -type f | wc -l) seeds + $units found)"
  else
    echo "fuzz: $target FAILED (exit $status) after ${execs:-?} executions; log: $log" >&2
    grep -E "^(==[0-9]+==ERROR|SUMMARY|fuzz property violated|.*runtime error)" "$log" | head -5 >&2 || true
    find "$build/findings" -name "$target-*" | sed 's/^/  finding: /' >&2
    failed+=("$target")
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: findings in ${failed[*]}: fix them, then add each finding to tests/fuzz/corpus/<target>/" >&2
  exit 1
fi
