#!/usr/bin/env bash
# Stop the test services that scripts/services.sh started. Safe to run repeatedly.
#
#   bash scripts/services-stop.sh                       # all four
#   WOLFPY_SERVICES="mongo redis" bash scripts/services-stop.sh
#
# Data is kept (the PostgreSQL cluster and the MariaDB data directory); Redis and the
# Mongo emulator keep nothing. Uses the same WOLFPY_SERVICES_DIR as services.sh.
set -uo pipefail

STATE_DIR=${WOLFPY_SERVICES_DIR:-/var/tmp/wolfpy-services}
REQUESTED=${WOLFPY_SERVICES:-postgres mysql redis mongo}
MYSQL_SOCKET=/run/mysqld/mysqld.sock
REDIS_PORT=6379

note() { printf 'services-stop: %s\n' "$*" >&2; }
requested() { [[ " $REQUESTED " == *" $1 "* ]]; }

[[ $(id -u) == 0 ]] || { note "ERROR: must run as root"; exit 1; }

# running PID: the process exists and is not a zombie waiting to be reaped.
running() {
  local state
  state=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
  [[ -n $state && $state != Z* ]]
}

# stop_pid NAME PIDFILE SECONDS: SIGTERM the process in PIDFILE, SIGKILL it after SECONDS.
stop_pid() {
  local name=$1 pidfile=$2 limit=$3 pid i
  [[ -s $pidfile ]] || return 0
  pid=$(<"$pidfile")
  if [[ $pid =~ ^[0-9]+$ ]] && running "$pid"; then
    kill -TERM "$pid" 2>/dev/null
    for ((i = 0; i < limit * 10; i++)); do
      running "$pid" || break
      sleep 0.1
    done
    if running "$pid"; then
      note "$name (pid $pid) ignored SIGTERM for ${limit}s; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null
    fi
    note "$name stopped"
  fi
  rm -f "$pidfile"
}

if requested mongo; then
  # Only signal the pid if it is still our emulator (pids get reused).
  pidfile=$STATE_DIR/mongoeco.pid
  if [[ -s $pidfile ]] && ! tr '\0' ' ' <"/proc/$(<"$pidfile")/cmdline" 2>/dev/null | grep -q mongo_emulator.py; then
    rm -f "$pidfile"
  fi
  stop_pid "mongo emulator" "$pidfile" 10
fi

if requested redis; then
  if command -v redis-cli >/dev/null && [[ $(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null) == PONG ]]; then
    redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1
    note "redis stopped"
  fi
  stop_pid redis "$STATE_DIR/redis.pid" 10
fi

if requested mysql; then
  if command -v mariadb-admin >/dev/null &&
    mariadb-admin --protocol=socket --socket="$MYSQL_SOCKET" -uroot ping >/dev/null 2>&1; then
    # Waits for a clean shutdown (mariadbd removes its pid file when done).
    if mariadb-admin --protocol=socket --socket="$MYSQL_SOCKET" -uroot shutdown >/dev/null 2>&1; then
      note "mariadb stopped"
    fi
  fi
  stop_pid mariadb "$STATE_DIR/mariadb/mariadbd.pid" 60
fi

if requested postgres && command -v pg_lsclusters >/dev/null; then
  pg_lsclusters -h | awk '$2 == "main" && $4 ~ /^online/ { print $1 }' | while read -r version; do
    pg_ctlcluster "$version" main stop -m fast && note "postgres $version/main stopped"
  done
fi

# Forget the URLs of what was stopped.
if [[ -f $STATE_DIR/env ]]; then
  for name in $REQUESTED; do
    sed -i "/^export WOLFPY_TEST_${name^^}_URL=/d" "$STATE_DIR/env"
  done
fi
exit 0
