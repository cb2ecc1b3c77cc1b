#!/usr/bin/env bash
# One command: install what is missing, build, and run opswatch in the foreground on
# examples/opswatch.yml (listening on :10490). Extra arguments are passed to opswatch.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DOPSWATCH_SANITIZE=OFF -DOPSWATCH_TESTS=OFF >/dev/null
cmake --build build --target opswatch
exec build/opswatch --config.file=examples/opswatch.yml "$@"
