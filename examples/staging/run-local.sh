#!/usr/bin/env bash
# The staging stack of docker-compose.staging.yml without containers: PostgreSQL, the db-backup
# loop, the demo app, opswatch, Prometheus, Alertmanager and the webhook sink as local processes
# with demo timings, for trying opswatch on a laptop in one command. Linux only. Every process
# listens on 127.0.0.1 only (the demo app and the sink get APP_HOST / SINK_HOST=127.0.0.1; in the
# containers they bind all interfaces).
#
#   examples/staging/run-local.sh              start everything; Ctrl-C (or SIGTERM) stops it all
#
# Drills, from another terminal while it runs (README.md, "Try the staging demo"):
#   examples/staging/run-local.sh backup-stop  stop the backup loop       -> BackupStale
#   examples/staging/run-local.sh backup-start start it again             -> resolved
#   touch /tmp/opswatch-demo/app-unhealthy     the app reports ok=false   -> ServiceDown, ...
#   examples/staging/run-local.sh fill-disk    write a ballast file       -> DiskSpaceLow
#   examples/staging/run-local.sh free-disk    delete it                  -> resolved
# Other commands:
#   examples/staging/run-local.sh stop         stop a demo whose terminal is gone
#   examples/staging/run-local.sh configs      only write the generated configs into the work dir
#
# Environment (defaults in brackets): OPSWATCH_DEMO_DIR [/tmp/opswatch-demo]; ports
# OPSWATCH_PORT [10490], APP_PORT [4310], SINK_PORT [9099], PROMETHEUS_PORT [9090],
# ALERTMANAGER_PORT [9093], PGPORT [5433]; binaries OPSWATCH_BIN [<repo>/build/opswatch],
# PG_BINDIR [newest /usr/lib/postgresql/*/bin], PROMETHEUS_BIN, ALERTMANAGER_BIN [from PATH];
# BACKUP_INTERVAL_SECONDS [10], BACKUP_RETENTION_COUNT [5]; DEMO_DISK_HEADROOM_MIB [256] (the
# disk drill's threshold sits this far below the space available at start; the ballast is twice
# that).
#
# Everything the demo writes is in the work dir: generated configs, secrets/ (mode 0600: the
# database password, DSN and webhook URL), pgdata/, backups/, state/, logs/<process>.log and
# <process>.pid. Each start wipes the previous run's data (fresh database, fresh backups).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)

demo_dir=${OPSWATCH_DEMO_DIR:-/tmp/opswatch-demo}
case $demo_dir in /*) ;; *) demo_dir=$PWD/$demo_dir ;; esac
demo_dir=${demo_dir%/}
export OPSWATCH_DEMO_DIR=$demo_dir
logs=$demo_dir/logs

# Children, in stop order (opswatch first, so stopping the rest fires no alert).
children=(opswatch prometheus alertmanager webhook-sink app db-backup)

say() { printf 'opswatch-demo: %s\n' "$*"; }
die() {
  printf 'opswatch-demo: error: %s\n' "$*" >&2
  exit 1
}

is_root() { [[ $EUID -eq 0 ]]; }

# --- settings -----------------------------------------------------------------------------------

# Ports and timings for `start` and `configs`; the other commands read the running demo's demo.env.
default_settings() {
  OPSWATCH_PORT=${OPSWATCH_PORT:-10490}
  APP_PORT=${APP_PORT:-4310}
  SINK_PORT=${SINK_PORT:-9099}
  PROMETHEUS_PORT=${PROMETHEUS_PORT:-9090}
  ALERTMANAGER_PORT=${ALERTMANAGER_PORT:-9093}
  PGPORT=${PGPORT:-5433}
  BACKUP_INTERVAL_SECONDS=${BACKUP_INTERVAL_SECONDS:-10}
  BACKUP_RETENTION_COUNT=${BACKUP_RETENTION_COUNT:-5}
  DEMO_DISK_HEADROOM_MIB=${DEMO_DISK_HEADROOM_MIB:-256}
  local var
  for var in OPSWATCH_PORT APP_PORT SINK_PORT PROMETHEUS_PORT ALERTMANAGER_PORT PGPORT \
    BACKUP_INTERVAL_SECONDS BACKUP_RETENTION_COUNT DEMO_DISK_HEADROOM_MIB; do
    [[ ${!var} =~ ^[0-9]+$ && ${!var} -gt 0 ]] || die "$var must be a positive number, not '${!var}'"
  done
  export OPSWATCH_PORT APP_PORT SINK_PORT PROMETHEUS_PORT ALERTMANAGER_PORT PGPORT
}

save_settings() {
  local var
  for var in OPSWATCH_PORT APP_PORT SINK_PORT PROMETHEUS_PORT ALERTMANAGER_PORT PGPORT PG_BINDIR \
    BACKUP_INTERVAL_SECONDS BACKUP_RETENTION_COUNT DEMO_DISK_HEADROOM_MIB; do
    printf '%s=%q\n' "$var" "${!var}"
  done >"$demo_dir/demo.env"
}

load_settings() {
  [[ -f $demo_dir/demo.env ]] || die "no demo in $demo_dir (start one with $0, or set OPSWATCH_DEMO_DIR)"
  # shellcheck source=/dev/null
  source "$demo_dir/demo.env"
  export OPSWATCH_PORT APP_PORT SINK_PORT PROMETHEUS_PORT ALERTMANAGER_PORT PGPORT
}

# --- binaries -----------------------------------------------------------------------------------

find_pg_bindir() {
  if [[ -n ${PG_BINDIR:-} ]]; then
    [[ -x $PG_BINDIR/initdb ]] || die "PG_BINDIR=$PG_BINDIR has no initdb"
    return
  fi
  local dir
  dir=$(find /usr/lib/postgresql -mindepth 3 -maxdepth 3 -path '*/bin/initdb' 2>/dev/null |
    sort -V | tail -n 1 || true)
  if [[ -n $dir ]]; then
    PG_BINDIR=$(dirname "$dir")
  elif command -v initdb >/dev/null; then
    PG_BINDIR=$(dirname "$(command -v initdb)")
  else
    die "PostgreSQL server binaries not found: apt-get install postgresql (or set PG_BINDIR)"
  fi
}

find_binaries() {
  opswatch_bin=${OPSWATCH_BIN:-$repo/build/opswatch}
  if [[ ! -x $opswatch_bin ]]; then
    die "no opswatch binary at $opswatch_bin. Build it first: scripts/run.sh (installs what is" \
      "missing, builds build/opswatch and runs it; stop it with Ctrl-C), or" \
      "cmake -G Ninja -S . -B build && ninja -C build opswatch; or set OPSWATCH_BIN"
  fi
  prometheus_bin=${PROMETHEUS_BIN:-$(command -v prometheus || true)}
  [[ -n $prometheus_bin ]] || die "prometheus not found: apt-get install prometheus (or set PROMETHEUS_BIN)"
  alertmanager_bin=${ALERTMANAGER_BIN:-$(command -v prometheus-alertmanager || command -v alertmanager || true)}
  [[ -n $alertmanager_bin ]] ||
    die "alertmanager not found: apt-get install prometheus-alertmanager (or set ALERTMANAGER_BIN)"
  local tool
  for tool in python3 setsid stat awk sed; do
    command -v "$tool" >/dev/null || die "$tool not found"
  done
  if is_root; then
    command -v runuser >/dev/null || die "runuser not found (needed to run PostgreSQL as postgres)"
    id postgres >/dev/null 2>&1 || die "user postgres does not exist (apt-get install postgresql)"
  fi
  find_pg_bindir
}

# Runs a PostgreSQL binary: as the postgres user when we are root (PostgreSQL refuses root), from
# a directory that user can read.
as_pg() {
  if is_root; then
    (cd "$demo_dir/pg-run" && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

# --- processes ----------------------------------------------------------------------------------

# Alive and not a zombie.
pid_running() {
  local state
  state=$(sed -n 's/.*) \(.\).*/\1/p' "/proc/$1/stat" 2>/dev/null) || return 1
  [[ -n $state && $state != Z ]]
}

# What a child's command line contains, so a stale pid file never names someone else's process.
marker() {
  case $1 in
    opswatch) echo "$demo_dir/opswatch.yml" ;;
    prometheus) echo "$demo_dir/prometheus.yml" ;;
    alertmanager) echo "$demo_dir/alertmanager.yml" ;;
    webhook-sink) echo "webhook-sink/sink.py" ;;
    app) echo "demo-app/app.py" ;;
    db-backup) echo "db-backup.sh" ;;
    run-local) echo "run-local.sh" ;;
  esac
}

# The pid of a child of this demo that is running, or nothing (status 1).
child_pid() {
  local file=$demo_dir/$1.pid pid cmdline
  [[ -f $file ]] || return 1
  pid=$(<"$file")
  [[ $pid =~ ^[0-9]+$ ]] && pid_running "$pid" || return 1
  cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
  [[ $cmdline == *"$(marker "$1")"* ]] || return 1
  echo "$pid"
}

alive() { child_pid "$1" >/dev/null; }

# spawn NAME COMMAND...: starts COMMAND in its own session (so Ctrl-C reaches only this script,
# which then stops the children in order), output appended to logs/NAME.log, pid in NAME.pid.
spawn() {
  local name=$1
  shift
  setsid "$@" >>"$logs/$name.log" 2>&1 </dev/null 7>&- 8>&- &
  local pid=$! i
  echo "$pid" >"$demo_dir/$name.pid"
  # Until the fork has exec'd, its command line is still ours and alive() would not know it.
  for ((i = 0; i < 100; i++)); do
    alive "$name" || ! pid_running "$pid" && break
    sleep 0.05
  done
}

stop_child() {
  local name=$1 pid i
  pid=$(child_pid "$name") || {
    rm -f "$demo_dir/$name.pid"
    return 0
  }
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 100; i++)); do
    pid_running "$pid" || break
    sleep 0.1
  done
  if pid_running "$pid"; then
    say "$name did not stop within 10 s; killing it"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  # Reap it when it is our child (127: it is not) and say when it did not stop cleanly.
  local status=0
  wait "$pid" 2>/dev/null || status=$?
  if ((status != 0 && status != 127 && status != 128 + 15)); then
    say "$name exited with status $status when stopped; see $logs/$name.log"
  fi
  rm -f "$demo_dir/$name.pid"
}

postgres_running() {
  local pid
  [[ -f $demo_dir/pgdata/postmaster.pid ]] || return 1
  pid=$(head -n 1 "$demo_dir/pgdata/postmaster.pid" 2>/dev/null) || return 1
  [[ $pid =~ ^[0-9]+$ ]] && pid_running "$pid"
}

stop_postgres() {
  postgres_running || return 0
  as_pg "$PG_BINDIR/pg_ctl" -D "$demo_dir/pgdata" -m fast -w -t 30 stop >>"$logs/postgres.log" 2>&1 ||
    say "pg_ctl stop failed; see $logs/postgres.log"
}

stop_all() {
  local name
  for name in "${children[@]}"; do stop_child "$name"; done
  stop_postgres
}

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# GET http://127.0.0.1:PORT/PATH answers 200 (bash's /dev/tcp; no curl needed).
http_ok() (
  exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
  printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1:%s\r\n\r\n' "$2" "$1" >&3
  read -r -t 5 _ status _ <&3 || exit 1
  [[ $status == 200 ]]
) 2>/dev/null

log_has() { [[ -f $logs/$1.log ]] && grep -q -- "$2" "$logs/$1.log"; }

die_with_log() {
  local name=$1
  shift
  printf 'opswatch-demo: error: %s\n' "$*" >&2
  if [[ -f $logs/$name.log ]]; then
    printf 'opswatch-demo: last lines of %s:\n' "$logs/$name.log" >&2
    tail -n 20 "$logs/$name.log" >&2
  fi
  exit 1
}

# wait_for SECONDS NAME WHAT COMMAND...: polls COMMAND until it succeeds; fails with NAME's log
# when NAME exits first or SECONDS pass.
wait_for() {
  local seconds=$1 name=$2 what=$3
  shift 3
  local deadline=$((SECONDS + seconds))
  until "$@"; do
    alive "$name" || die_with_log "$name" "$name exited before $what"
    ((SECONDS < deadline)) || die_with_log "$name" "no $what after ${seconds} s"
    sleep 0.2
  done
}

# --- work dir and configs -----------------------------------------------------------------------

check_demo_dir() {
  [[ $demo_dir =~ ^[A-Za-z0-9/._+-]+$ ]] ||
    die "OPSWATCH_DEMO_DIR may hold only letters, digits and / . _ + - (it goes into config files)"
  if [[ -d $demo_dir && ! -e $demo_dir/.opswatch-demo && -n $(ls -A "$demo_dir") ]]; then
    die "$demo_dir is not empty and not an opswatch demo dir; set OPSWATCH_DEMO_DIR to a new one"
  fi
  if [[ -e $demo_dir && ! -d $demo_dir ]]; then die "$demo_dir is not a directory"; fi
}

demo_running() {
  local pid
  pid=$(child_pid run-local) || return 1
  [[ $pid != "$$" ]]
}

write_secrets() {
  local password
  password=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
  (
    umask 077
    mkdir -p "$demo_dir/secrets"
    printf '%s\n' "$password" >"$demo_dir/secrets/postgres_password"
    printf 'postgresql://app:%s@127.0.0.1:%s/app?sslmode=disable&application_name=opswatch\n' \
      "$password" "$PGPORT" >"$demo_dir/secrets/database_url"
    printf 'http://127.0.0.1:%s/opswatch\n' "$SINK_PORT" >"$demo_dir/secrets/webhook_url"
  )
  chmod 0700 "$demo_dir/secrets"
  chmod 0600 "$demo_dir/secrets/"*
}

# The available ratio of the work dir's filesystem, less DEMO_DISK_HEADROOM_MIB: the DiskSpaceLow
# threshold of the disk drill. Same arithmetic as opswatch (statvfs f_bavail / f_blocks).
disk_threshold() {
  local frsize blocks avail
  read -r frsize blocks avail < <(stat -f -c '%S %b %a' "$demo_dir")
  awk -v s="$frsize" -v b="$blocks" -v a="$avail" -v h="$DEMO_DISK_HEADROOM_MIB" 'BEGIN {
    r = (a * s - h * 1048576) / (b * s)
    if (r <= 0) exit 1
    printf "%.9f %.2f %.2f\n", r, 100 * r, 100 * a / b
  }' || die "less than DEMO_DISK_HEADROOM_MIB=$DEMO_DISK_HEADROOM_MIB MiB available in $demo_dir"
}

# sed_into SOURCE DEST NEEDLE SED-ARGS...: writes SOURCE through sed to DEST and checks that DEST
# contains NEEDLE (the staging file changed shape when it does not).
sed_into() {
  local source=$1 dest=$2 needle=$3
  shift 3
  {
    printf '# Generated by examples/staging/run-local.sh from %s; rewritten on every start.\n' \
      "${source#"$repo"/}"
    sed "$@" "$source"
  } >"$dest"
  grep -qF -- "$needle" "$dest" || die "cannot adapt $source (expected '$needle'): update run-local.sh"
}

write_configs() {
  local threshold
  threshold=$(disk_threshold)
  read -r disk_ratio disk_threshold_pct disk_now_pct <<<"$threshold"
  {
    printf '# Copied by examples/staging/run-local.sh from examples/staging/opswatch.local.yml.\n'
    cat "$here/opswatch.local.yml"
  } >"$demo_dir/opswatch.yml"
  sed_into "$here/rules.local.yml" "$demo_dir/rules.local.yml" "< $disk_ratio" \
    -e "s|\(opswatch_disk_size_bytes{collector=\"root-disk\"} < \)[0-9.e+-]*\$|\1$disk_ratio|"
  sed_into "$here/prometheus.yml" "$demo_dir/prometheus.yml" "127.0.0.1:$OPSWATCH_PORT" \
    -e "s|\"opswatch:10490\"|\"127.0.0.1:$OPSWATCH_PORT\"|" \
    -e "s|\"localhost:9090\"|\"127.0.0.1:$PROMETHEUS_PORT\"|" \
    -e 's|scrape_interval: 15s|scrape_interval: 5s|' \
    -e 's|evaluation_interval: 15s|evaluation_interval: 5s|' \
    -e 's|{env: staging}|{env: staging-local}|'
  sed_into "$here/alertmanager.yml" "$demo_dir/alertmanager.yml" "127.0.0.1:$SINK_PORT/alertmanager" \
    -e "s|http://webhook-sink:8080/alertmanager|http://127.0.0.1:$SINK_PORT/alertmanager|" \
    -e 's|group_wait: 10s|group_wait: 1s|' \
    -e 's|group_interval: 1m|group_interval: 3s|'
}

# --- start --------------------------------------------------------------------------------------

start_backup_loop() {
  spawn db-backup env PGHOST=127.0.0.1 PGPORT="$PGPORT" PGUSER=app PGDATABASE=app \
    PGSSLMODE=disable PGCONNECT_TIMEOUT=5 PGPASSWORD_FILE="$demo_dir/secrets/postgres_password" \
    PATH="$PG_BINDIR:$PATH" BACKUP_DIR="$demo_dir/backups" BACKUP_PREFIX=app_ \
    BACKUP_INTERVAL_SECONDS="$BACKUP_INTERVAL_SECONDS" \
    BACKUP_RETENTION_COUNT="$BACKUP_RETENTION_COUNT" bash "$here/db-backup.sh"
}

start_postgres() {
  local dir
  for dir in pgdata pg-run; do
    mkdir -m 0700 "$demo_dir/$dir"
    if is_root; then chown postgres: "$demo_dir/$dir"; fi
  done
  : >"$logs/postgres.log"
  if is_root; then
    chown postgres: "$logs/postgres.log"
    runuser -u postgres -- test -x "$demo_dir/pg-run" ||
      die "the postgres user cannot reach $demo_dir: use a work dir whose parents it can enter"
  fi
  as_pg "$PG_BINDIR/initdb" -D "$demo_dir/pgdata" -U postgres -E UTF8 --locale=C --no-sync \
    --auth-local=trust --auth-host=scram-sha-256 >>"$logs/postgres.log" 2>&1 ||
    die_with_log postgres "initdb failed"
  # The Unix socket sits in pg-run/ (mode 0700), so only its owner reaches the trusted socket;
  # TCP on 127.0.0.1 needs the app role's password. fsync off: a throwaway demo cluster.
  cat >>"$demo_dir/pgdata/postgresql.conf" <<EOF

# run-local.sh
listen_addresses = '127.0.0.1'
port = $PGPORT
unix_socket_directories = '$demo_dir/pg-run'
max_connections = 20
shared_buffers = 16MB
fsync = off
EOF
  printf 'local all all trust\nhost all all 127.0.0.1/32 scram-sha-256\n' >"$demo_dir/pgdata/pg_hba.conf"
  as_pg "$PG_BINDIR/pg_ctl" -D "$demo_dir/pgdata" -l "$logs/postgres.log" -w -t 60 start \
    >/dev/null 2>&1 7>&- 8>&- || die_with_log postgres "PostgreSQL did not start"
  local psql=("$PG_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -h "$demo_dir/pg-run" -p "$PGPORT")
  # The password goes in on stdin, never on a command line.
  printf "CREATE ROLE app LOGIN PASSWORD '%s';\nCREATE DATABASE app OWNER app;\n" \
    "$(<"$demo_dir/secrets/postgres_password")" |
    as_pg "${psql[@]}" -U postgres -d postgres >>"$logs/postgres.log" 2>&1 ||
    die_with_log postgres "cannot create the app role and database"
  as_pg "${psql[@]}" -U app -d app <"$here/postgres-init.sql" >>"$logs/postgres.log" 2>&1 ||
    die_with_log postgres "cannot load postgres-init.sql"
}

# Traps run in this shell only: a signal that arrives while bash forks a pipeline or a command
# substitution can otherwise run the handler in the child as well.
main_pid=$BASHPID
on_signal() {
  [[ $BASHPID == "$main_pid" ]] || return 0
  exit 0
}

cleanup() {
  local rc=$?
  [[ $BASHPID == "$main_pid" ]] || return 0
  trap '' INT TERM
  trap - EXIT
  set +e
  # The signal may have arrived inside a redirected function call (alive ... >/dev/null).
  exec 1>&7 2>&8
  say "stopping"
  stop_all
  rm -f "$demo_dir/ballast" "$demo_dir/run-local.pid"
  say "stopped; logs and backups stay in $demo_dir"
  exit "$rc"
}

banner() {
  cat <<EOF

opswatch-demo: ready. Work dir $demo_dir
  opswatch       http://127.0.0.1:$OPSWATCH_PORT/  (status page)   /metrics   /health   /api/v1/alerts
  Prometheus     http://127.0.0.1:$PROMETHEUS_PORT/graph?g0.expr=opswatch_alerts  (scrapes opswatch every 5 s)
  Alertmanager   http://127.0.0.1:$ALERTMANAGER_PORT/  (opswatch pushes alerts here; it forwards them to the sink)
  demo app       http://127.0.0.1:$APP_PORT/health
  webhook sink   http://127.0.0.1:$SINK_PORT/  prints every notification to $logs/webhook-sink.log;
                 their one-line summaries appear below as "[sink] <path> <status> <alert>=<state>"
                 (/opswatch: opswatch's webhook receiver, /alertmanager: via Alertmanager)
  PostgreSQL     127.0.0.1:$PGPORT database app, role app (password in $demo_dir/secrets/)
  backups        $demo_dir/backups: pg_dump every $BACKUP_INTERVAL_SECONDS s, $BACKUP_RETENTION_COUNT kept
  logs           $logs/<process>.log
Drills (another terminal; README.md "Try the staging demo"):
  $0 backup-stop     BackupStale within ~40 s; backup-start heals
  touch $demo_dir/app-unhealthy     ServiceDown, ServiceCheckFailed in ~10 s; rm heals
  $0 fill-disk       DiskSpaceLow in ~10 s; free-disk heals
                     (it fires below ${disk_threshold_pct}% available: ${DEMO_DISK_HEADROOM_MIB} MiB less than the ${disk_now_pct}% at start)
Ctrl-C stops everything.
EOF
}

# Prints the sink's new summary lines ("/path status alert=state ...") with a [sink] prefix.
sink_lines_seen=0
forward_sink() {
  local total
  total=$(wc -l <"$logs/webhook-sink.log")
  if ((total > sink_lines_seen)); then
    sed -n "$((sink_lines_seen + 1)),${total}p" "$logs/webhook-sink.log" | sed -n 's|^/|[sink] /|p'
    sink_lines_seen=$total
  fi
}

cmd_start() {
  default_settings
  check_demo_dir
  if demo_running; then
    die "a demo is already running in $demo_dir (pid $(child_pid run-local)); stop it with Ctrl-C" \
      "there or '$0 stop', or set OPSWATCH_DEMO_DIR for a second one"
  fi
  find_binaries
  mkdir -p "$demo_dir"
  touch "$demo_dir/.opswatch-demo"
  stop_all # leftovers of a run that was killed
  local var
  for var in OPSWATCH_PORT APP_PORT SINK_PORT PROMETHEUS_PORT ALERTMANAGER_PORT PGPORT; do
    if port_busy "${!var}"; then
      die "port ${!var} ($var) is in use on 127.0.0.1: stop what listens there (Debian's" \
        "prometheus and prometheus-alertmanager packages run services on 9090 and 9093) or" \
        "choose another port, e.g. $var=$((${!var} % 10000 + 20000)) $0"
    fi
  done

  echo "$$" >"$demo_dir/run-local.pid"
  exec 7>&1 8>&2 # our output, for cleanup; children do not inherit it
  trap cleanup EXIT
  trap on_signal INT TERM
  (
    cd "$demo_dir"
    rm -rf pgdata pg-run backups state prometheus-data alertmanager-data logs secrets ballast \
      app-unhealthy
  )
  mkdir -p "$logs" "$demo_dir/backups" "$demo_dir/state"
  if is_root; then chmod 0711 "$demo_dir"; else chmod 0700 "$demo_dir"; fi
  save_settings
  write_secrets

  say "PostgreSQL $("$PG_BINDIR/postgres" --version | awk '{print $3}') on 127.0.0.1:$PGPORT"
  start_postgres

  say "webhook sink on 127.0.0.1:$SINK_PORT"
  spawn webhook-sink env SINK_HOST=127.0.0.1 SINK_PORT="$SINK_PORT" \
    python3 -u "$here/webhook-sink/sink.py"
  wait_for 20 webhook-sink "listening line" log_has webhook-sink "webhook sink: listening"

  say "demo app on 127.0.0.1:$APP_PORT"
  spawn app env APP_HOST=127.0.0.1 APP_PORT="$APP_PORT" \
    APP_UNHEALTHY_FILE="$demo_dir/app-unhealthy" APP_DATA_DIR="$demo_dir" \
    python3 -u "$here/demo-app/app.py"
  wait_for 20 app "healthy /health" http_ok "$APP_PORT" /health

  say "backup loop: every $BACKUP_INTERVAL_SECONDS s into $demo_dir/backups"
  start_backup_loop
  wait_for 30 db-backup "first backup" log_has db-backup "db-backup: wrote"

  say "Alertmanager on 127.0.0.1:$ALERTMANAGER_PORT"
  write_configs
  spawn alertmanager "$alertmanager_bin" --config.file="$demo_dir/alertmanager.yml" \
    --storage.path="$demo_dir/alertmanager-data" \
    --web.listen-address="127.0.0.1:$ALERTMANAGER_PORT" --cluster.listen-address=
  wait_for 30 alertmanager "ready Alertmanager" http_ok "$ALERTMANAGER_PORT" /-/ready

  say "opswatch on 127.0.0.1:$OPSWATCH_PORT ($opswatch_bin)"
  # --web.enable-lifecycle: the demo's README says to edit the copies and POST /-/reload.
  spawn opswatch "$opswatch_bin" --config.file="$demo_dir/opswatch.yml" \
    --web.listen-address="127.0.0.1:$OPSWATCH_PORT" --web.enable-lifecycle
  wait_for 60 opswatch "ready opswatch" http_ok "$OPSWATCH_PORT" /-/ready

  say "Prometheus on 127.0.0.1:$PROMETHEUS_PORT"
  spawn prometheus "$prometheus_bin" --config.file="$demo_dir/prometheus.yml" \
    --storage.tsdb.path="$demo_dir/prometheus-data" --storage.tsdb.retention.time=1d \
    --web.listen-address="127.0.0.1:$PROMETHEUS_PORT"
  wait_for 60 prometheus "ready Prometheus" http_ok "$PROMETHEUS_PORT" /-/ready

  banner
  local name
  while true; do
    forward_sink
    for name in webhook-sink app alertmanager opswatch prometheus; do
      alive "$name" || die_with_log "$name" "$name exited unexpectedly"
    done
    postgres_running || die_with_log postgres "PostgreSQL exited unexpectedly"
    sleep 1 &
    wait $! || true
  done
}

# --- drills and other commands ------------------------------------------------------------------

require_running() {
  load_settings
  demo_running || die "no demo is running in $demo_dir (start one with $0)"
}

cmd_backup_stop() {
  require_running
  if ! alive db-backup; then
    say "the backup loop is not running"
    return
  fi
  stop_child db-backup
  say "backup loop stopped: BackupStale fires once the newest dump is over 30 s old" \
    "(within about 40 s); '$0 backup-start' heals it"
}

cmd_backup_start() {
  require_running
  if alive db-backup; then
    say "the backup loop is already running"
    return
  fi
  start_backup_loop
  say "backup loop started (log: $logs/db-backup.log); BackupStale resolves within ~15 s"
}

cmd_fill_disk() {
  require_running
  local mib=$((2 * DEMO_DISK_HEADROOM_MIB)) ballast=$demo_dir/ballast avail_mib
  if [[ -e $ballast ]]; then
    say "$ballast exists already; '$0 free-disk' removes it"
    return
  fi
  avail_mib=$(stat -f -c '%a %S' "$demo_dir" | awk '{printf "%d", $1 * $2 / 1048576}')
  ((avail_mib > 2 * mib)) ||
    die "only $avail_mib MiB available in $demo_dir; not writing a $mib MiB ballast file"
  # fallocate reserves real blocks at once; where it is unsupported, write incompressible data.
  if ! fallocate -l "${mib}MiB" "$ballast" 2>/dev/null; then
    rm -f "$ballast"
    dd if=/dev/urandom of="$ballast" bs=1M count="$mib" status=none || {
      rm -f "$ballast"
      die "cannot write $ballast"
    }
  fi
  say "wrote $ballast ($mib MiB): DiskSpaceLow fires in ~10 s; '$0 free-disk' removes it"
}

cmd_free_disk() {
  require_running
  rm -f "$demo_dir/ballast"
  say "removed $demo_dir/ballast: DiskSpaceLow resolves in ~10 s"
}

cmd_stop() {
  load_settings
  local pid i
  if pid=$(child_pid run-local); then
    kill -TERM "$pid"
    for ((i = 0; i < 600; i++)); do
      pid_running "$pid" || break
      sleep 0.1
    done
    pid_running "$pid" && die "run-local.sh (pid $pid) did not stop within 60 s"
  fi
  find_pg_bindir
  stop_all
  rm -f "$demo_dir/ballast" "$demo_dir/run-local.pid"
  say "stopped"
}

cmd_configs() {
  default_settings
  check_demo_dir
  demo_running && die "a demo is running in $demo_dir; its configs are there already"
  mkdir -p "$demo_dir"
  touch "$demo_dir/.opswatch-demo"
  write_secrets
  write_configs
  say "wrote $demo_dir/{opswatch.yml,rules.local.yml,prometheus.yml,alertmanager.yml,secrets/}"
}

case ${1:-start} in
  start) cmd_start ;;
  stop) cmd_stop ;;
  configs) cmd_configs ;;
  backup-stop) cmd_backup_stop ;;
  backup-start) cmd_backup_start ;;
  fill-disk) cmd_fill_disk ;;
  free-disk) cmd_free_disk ;;
  -h | --help | help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0" ;;
  *) die "unknown command '$1' (try $0 --help)" ;;
esac
