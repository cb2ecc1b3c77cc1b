#!/usr/bin/env bash
# One command: install what the tests need, build (normal, then AddressSanitizer +
# UndefinedBehaviorSanitizer), check formatting, and run the whole CTest suite on both builds.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --test
jobs=$(nproc)

echo "== clang-format"
mapfile -t files < <(git ls-files '*.cpp' '*.hpp' 2>/dev/null ||
  find core collectors rules exporter tests bench -name '*.[ch]pp')
clang-format --dry-run --Werror "${files[@]}"

echo "== build (RelWithDebInfo)"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$jobs"
echo "== build (ASan + UBSan)"
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DOPSWATCH_SANITIZE=ON >/dev/null
cmake --build build-asan -j "$jobs"

export OPSWATCH_BUILD_JOBS=$jobs  # the container test's image build
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
echo "== tests (RelWithDebInfo)"
ctest --test-dir build --output-on-failure -j "$jobs"
echo "== tests (ASan + UBSan)"
ctest --test-dir build-asan --output-on-failure -j "$jobs" -LE container
