#!/usr/bin/env bash
# Installs what opswatch needs from Debian bookworm's packages. Idempotent: installs only what is
# missing (apt-get update runs only then).
#   scripts/install-deps.sh          build and run dependencies
#   scripts/install-deps.sh --test   also what the test suite starts (PostgreSQL, Prometheus, ...)
#   scripts/install-deps.sh --bench  also the peer exporters bench/ compares against
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

build=(build-essential cmake ninja-build pkg-config git ca-certificates
       prometheus-cpp-dev libcivetweb-dev libyaml-cpp-dev libcurl4-openssl-dev libpq-dev
       libboost-test-dev nlohmann-json3-dev libre2-dev zlib1g-dev libssl-dev)
test=(postgresql postgresql-client prometheus prometheus-alertmanager prometheus-node-exporter
      openssl curl wrk gzip tar coreutils procps clang-format shellcheck python3 docker-compose
      clang libclang-rt-14-dev
      podman runc mmdebstrap uidmap fuse-overlayfs slirp4netns)

bench=(prometheus-blackbox-exporter prometheus-postgres-exporter hyperfine python3 mtail time)

want=("${build[@]}")
case "${1:-}" in
  --test) want+=("${test[@]}") ;;
  --bench) want+=("${test[@]}" "${bench[@]}") ;;
esac

missing=()
for pkg in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: everything is installed"
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: run as root (or with sudo) to install packages" >&2
  exit 1
fi
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
# The postgresql package starts a cluster on port 5432 on install; tests run their own servers
# on free ports and do not need it.
