#!/usr/bin/env bash
# One command: install what the tests need, check formatting, then run every test pass and report
# each one, whatever state the checkout's build directories are in:
#   normal     RelWithDebInfo build, the whole CTest suite (unit, integration, e2e, container)
#   asan       AddressSanitizer + UndefinedBehaviorSanitizer build, the suite minus the container
#   fuzz       every libFuzzer target (clang, ASan + UBSan) for 20 s over its seed corpus
#              (scripts/fuzz.sh; run it longer by hand: scripts/fuzz.sh 600)
#   tsan       ThreadSanitizer build of the binary and the tests of the concurrent parts
#              (scheduler, snapshot store, rule manager, dispatcher, HTTP server, reload under load)
#
# Each pass has its own build directory configured with every option it relies on (scripts/run.sh
# uses build/ with the tests off; CMake's cache would otherwise carry that over). A pass that finds
# no tests fails. A failing pass does not stop the next one: the summary at the end lists every
# pass and every failed test, and the exit status is non-zero if anything failed.
#
#   scripts/test.sh              everything (what CI runs)
#   scripts/test.sh -L unit      extra arguments go to every ctest call (e.g. only the fast tests)
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
scripts/install-deps.sh --test || exit 1
jobs=$(nproc)
ctest_args=("$@")

declare -a summary=()
failed=0

# record NAME STATUS TEXT: one line of the closing summary.
record() {
  summary+=("$(printf '%-14s %-6s %s' "$1" "$2" "$3")")
  [ "$2" = "ok" ] || failed=1
}

# configure_and_build NAME DIR TARGETS CMAKE-ARGS...: builds TARGETS ("" = all); returns non-zero
# (and records it) when it fails.
configure_and_build() {
  local name=$1 dir=$2 targets=$3
  shift 3
  echo "== build ($name) in $dir"
  if ! cmake -S . -B "$dir" -G Ninja -DOPSWATCH_TESTS=ON "$@" >"$dir.configure.log" 2>&1; then
    cat "$dir.configure.log"
    record "$name" FAIL "cmake configure failed"
    return 1
  fi
  local target_args=()
  for target in $targets; do target_args+=(--target "$target"); done
  if ! cmake --build "$dir" -j "$jobs" "${target_args[@]}"; then
    record "$name" FAIL "build failed"
    return 1
  fi
}

# run_ctest NAME DIR CTEST-ARGS...: runs the suite, records "N passed, N failed" and the names.
run_ctest() {
  local name=$1 dir=$2
  shift 2
  local log="$dir/ctest-summary.log"
  echo "== tests ($name)"
  ctest --test-dir "$dir" --output-on-failure --no-tests=error -j "$jobs" "$@" \
    "${ctest_args[@]}" 2>&1 | tee "$log"
  local rc=${PIPESTATUS[0]}
  local counts
  counts=$(grep -Eo '[0-9]+ tests failed out of [0-9]+' "$log" | tail -1)
  local failed_count=${counts%% *}
  local total=${counts##* }
  if [ -z "$counts" ]; then
    record "$name" FAIL "ctest found no tests or did not finish (exit $rc)"
    return
  fi
  local names
  names=$(awk '/The following tests FAILED:/ {list = 1; next}
                list && $2 == "-" {printf "%s ", $3}' "$log")
  local text="$((total - failed_count)) passed, $failed_count failed of $total"
  if [ "$rc" -eq 0 ] && [ "$failed_count" -eq 0 ]; then
    record "$name" ok "$text"
  else
    record "$name" FAIL "$text${names:+: $names}"
  fi
}

echo "== clang-format"
mapfile -t files < <(git ls-files '*.cpp' '*.hpp' 2>/dev/null ||
  find core collectors rules notify exporter tests bench -name '*.[ch]pp')
if clang-format --dry-run --Werror "${files[@]}"; then
  record clang-format ok "${#files[@]} files"
else
  record clang-format FAIL "run clang-format -i on the files above"
fi

export OPSWATCH_BUILD_JOBS=$jobs  # the container test's image build
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

if configure_and_build normal build-test "" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DOPSWATCH_SANITIZE=OFF -DOPSWATCH_TSAN=OFF; then
  run_ctest normal build-test
fi
if configure_and_build asan build-asan "" -DCMAKE_BUILD_TYPE=Debug -DOPSWATCH_SANITIZE=ON \
  -DOPSWATCH_TSAN=OFF; then
  run_ctest asan build-asan -LE "container|memory"
fi

# The tests that run several threads of ours at once; the binary the e2e tests start is built
# with ThreadSanitizer too, so a race anywhere in the daemon aborts it.
tsan_tests=(unit_scheduler_test unit_rule_manager_test integration_notify_webhook_test
            integration_http_collector_test integration_http_metrics_latency_test
            integration_exporter_test e2e_reload_under_load_test e2e_notify_restart_test
            e2e_shutdown_test)
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$PWD/tests/tsan.supp"
if configure_and_build tsan build-tsan "opswatch ${tsan_tests[*]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DOPSWATCH_SANITIZE=OFF -DOPSWATCH_TSAN=ON; then
  run_ctest tsan build-tsan -R "^($(IFS='|'; echo "${tsan_tests[*]}"))\$"
fi

echo "== fuzz"
fuzz_log=$(mktemp)
scripts/fuzz.sh 20 2>&1 | tee "$fuzz_log"
if [ "${PIPESTATUS[0]}" -eq 0 ]; then
  record fuzz ok "$(grep -c ' ok: ' "$fuzz_log") targets, 20 s each, no finding"
else
  record fuzz FAIL "$(grep -o 'findings in .*' "$fuzz_log" | head -1 || echo 'build failed')"
fi
rm -f "$fuzz_log"

echo
echo "== summary"
printf '%s\n' "${summary[@]}"
if [ "$failed" -ne 0 ]; then
  echo "FAILED"
  exit 1
fi
echo "all passes ok"
