#!/usr/bin/env bash
# The staging db-backup loop: every BACKUP_INTERVAL_SECONDS, pg_dump in custom format (-Fc) to
# BACKUP_DIR/BACKUP_PREFIX<UTC timestamp>.dump with a sha256sum sidecar, then keep only the newest
# BACKUP_RETENTION_COUNT dumps. A dump is written under a temporary name and renamed when complete,
# so a watcher never sees half a file under the final name. Connection settings come from libpq's
# environment (PGHOST, PGUSER, PGDATABASE, ...); the password from PGPASSWORD_FILE.
set -euo pipefail
dir=${BACKUP_DIR:-/backups}
prefix=${BACKUP_PREFIX:-app_}
interval=${BACKUP_INTERVAL_SECONDS:-3600}
keep=${BACKUP_RETENTION_COUNT:-14}
if [ -n "${PGPASSWORD_FILE:-}" ]; then
  PGPASSWORD=$(<"$PGPASSWORD_FILE")
  export PGPASSWORD
fi
mkdir -p "$dir"
umask 022

backup_once() {
  local name tmp
  name="$prefix$(date -u +%Y%m%dT%H%M%SZ).dump"
  tmp="$dir/.$name.partial"
  if ! pg_dump -Fc --no-password -f "$tmp"; then
    rm -f "$tmp"
    echo "db-backup: pg_dump failed; the previous backups are kept" >&2
    return 1
  fi
  (cd "$dir" && sha256sum ".$name.partial" | sed "s/\.$name\.partial\$/$name/" >".$name.sha256.partial")
  mv "$tmp" "$dir/$name"
  mv "$dir/.$name.sha256.partial" "$dir/$name.sha256"
  echo "db-backup: wrote $name ($(stat -c %s "$dir/$name") bytes)"
  # Retention: newest first by name (the timestamp sorts), delete everything past $keep.
  find "$dir" -maxdepth 1 -name "$prefix*.dump" -printf '%f\n' | sort -r | tail -n +"$((keep + 1))" |
    while read -r old; do
      rm -f "$dir/$old" "$dir/$old.sha256"
      echo "db-backup: retention removed $old"
    done
}

# On stop, a dump cut short is removed (bash runs the trap after the running pg_dump returns).
trap 'rm -f "$dir"/.*.partial; echo "db-backup: stopping"; exit 0' TERM INT
while true; do
  backup_once || true
  sleep "$interval" &
  wait $!
done
