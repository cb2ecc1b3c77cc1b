#!/usr/bin/env bash
# Builds the opswatch container image from a Dockerfile.
#   usage: scripts/build-image.sh [CONTEXT_DIR [IMAGE_TAG]]     (defaults: the repository, opswatch:dev)
#
# Engine: `docker build` when a Docker daemon answers; otherwise rootful podman, which works on a
# Debian bookworm machine with no daemon and no container registry:
#   - the debian:bookworm-slim base image is made locally with mmdebstrap from this machine's own
#     apt sources (cached as a tarball in the work dir), so no registry is ever contacted;
#   - runc instead of crun (crun rejects hybrid cgroup layouts some hosts have);
#   - default ulimits no higher than this shell's hard limits (podman's defaults can exceed them,
#     and then every container fails to start);
#   - --network=host for the build, so apt inside the build reaches the same mirror as the host.
# Set OPSWATCH_IMAGE_ENGINE=podman (or docker) to choose, OPSWATCH_CTR_WORK to move the work dir
# (default /var/tmp/opswatch-ctr: podman storage, configs, base tarball). Idempotent: a second run
# reuses the base image and the cached layers.
#
# Run the image afterwards (podman):
#   source "$OPSWATCH_CTR_WORK/env.sh"
#   podman run --rm --pull=never --network=host -v "$PWD/opswatch.yml:/etc/opswatch/opswatch.yml:ro" IMAGE_TAG
set -euo pipefail

ctx=${1:-$(cd "$(dirname "$0")/.." && pwd)}
img=${2:-opswatch:dev}
work=${OPSWATCH_CTR_WORK:-/var/tmp/opswatch-ctr}
engine=${OPSWATCH_IMAGE_ENGINE:-}
base=docker.io/library/debian:bookworm-slim

log() { printf 'build-image: %s\n' "$*" >&2; }

[ -f "$ctx/Dockerfile" ] || { log "no Dockerfile in $ctx"; exit 2; }

if [ -z "$engine" ]; then
  if command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
    engine=docker
  else
    engine=podman
  fi
fi

# OPSWATCH_BUILD_JOBS limits the compile jobs inside the build (default: all cores).
build_args=()
[ -n "${OPSWATCH_BUILD_JOBS:-}" ] && build_args+=(--build-arg "JOBS=$OPSWATCH_BUILD_JOBS")
# The context has no .git (see .dockerignore), so the revision is passed in.
revision=$(git -C "$ctx" rev-parse --short=12 HEAD 2>/dev/null || true)
[ -n "$revision" ] && build_args+=(--build-arg "REVISION=$revision")

start=$(date +%s)
if [ "$engine" = docker ]; then
  log "using docker (daemon answers)"
  docker build "${build_args[@]}" -t "$img" "$ctx"
  docker image ls --format '{{.Repository}}:{{.Tag}} {{.Size}}' "$img"
  log "built $img with docker in $(($(date +%s) - start))s"
  exit 0
fi
[ "$engine" = podman ] || { log "OPSWATCH_IMAGE_ENGINE must be docker or podman, not '$engine'"; exit 2; }

# --- rootful podman ----------------------------------------------------------------------------
if [ "$(id -u)" -ne 0 ]; then
  log "podman mode needs root (rootful podman and mmdebstrap); run with sudo or start a Docker daemon"
  exit 1
fi
need=(podman runc mmdebstrap uidmap fuse-overlayfs slirp4netns)
missing=()
for p in "${need[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

mkdir -p "$work"
nofile=$(ulimit -Hn)
[ "$nofile" = unlimited ] && nofile=1048576
nproc_limit=$(ulimit -Hu)
{ [ "$nproc_limit" = unlimited ] || [ "$nproc_limit" -gt 32768 ]; } && nproc_limit=32768
# Rewritten only when the content changes, so a running container's config never flips.
write_if_changed() {
  local file=$1 content=$2
  if [ ! -f "$file" ] || [ "$(cat "$file")" != "$content" ]; then
    printf '%s\n' "$content" >"$file.tmp" && mv "$file.tmp" "$file"
  fi
}
write_if_changed "$work/containers.conf" "[containers]
default_ulimits = [\"nofile=$nofile:$nofile\", \"nproc=$nproc_limit:$nproc_limit\"]
[engine]
runtime = \"runc\""
write_if_changed "$work/storage.conf" "[storage]
driver = \"overlay\"
graphroot = \"$work/storage\"
runroot = \"$work/run\""
write_if_changed "$work/env.sh" \
  "export CONTAINERS_CONF=$work/containers.conf CONTAINERS_STORAGE_CONF=$work/storage.conf"
# shellcheck disable=SC1091
source "$work/env.sh"

if ! podman image exists "$base"; then
  sources=/etc/apt/sources.list.d/debian.sources
  [ -f "$sources" ] || sources=/etc/apt/sources.list
  if [ ! -s "$work/bookworm-slim.tar" ]; then
    log "making $base with mmdebstrap from $sources (once; cached in $work)"
    # Like the official slim image: minbase, no docs/man/locales, no apt lists in the image.
    # shellcheck disable=SC2016  # $1 is expanded by mmdebstrap's hook shell, not here
    mmdebstrap --variant=minbase --format=tar \
      --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr \
      --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
      --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/info/*' \
      --dpkgopt='path-exclude=/usr/share/locale/*' \
      --dpkgopt='path-include=/usr/share/locale/locale.alias' \
      --aptopt='Acquire::Languages "none"' \
      --aptopt='Binary::apt::APT::Keep-Downloaded-Packages "false"' \
      --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*.bin "$1"/var/log/*.log' \
      bookworm "$work/bookworm-slim.tar.tmp" "$sources"
    mv "$work/bookworm-slim.tar.tmp" "$work/bookworm-slim.tar"
  fi
  podman import -q --change 'CMD ["bash"]' \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    "$work/bookworm-slim.tar" "$base" >/dev/null
fi

log "using rootful podman (no Docker daemon answers); work dir $work"
# --format docker: the OCI format has no HEALTHCHECK and would drop it.
podman build --pull=never --network=host --format docker "${build_args[@]}" -t "$img" "$ctx"
podman image ls --format '{{.Repository}}:{{.Tag}} {{.Size}}' "$img"
log "built $img with podman in $(($(date +%s) - start))s"
log "run it: source $work/env.sh && podman run --rm --pull=never --network=host $img"
