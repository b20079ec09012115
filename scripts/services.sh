#!/usr/bin/env bash
# Bring up the backing services WolfPy's integration tests talk to, on loopback only.
#
#   postgres  PostgreSQL (Debian package, cluster <newest>/main)   127.0.0.1:5432
#   mysql     MariaDB (Debian mariadb-server, mariadbd run directly)  127.0.0.1:3306
#   redis     Redis (Debian redis-server, daemonized)              127.0.0.1:6379
#   mongo     mongoeco wire emulator (PyPI, own venv, Python>=3.13) 127.0.0.1:27017
#
# Usage (as root; no systemd needed):
#   bash scripts/services.sh                      # all four
#   WOLFPY_SERVICES="postgres redis" bash scripts/services.sh
#   eval "$(bash scripts/services.sh | sed 's/^/export /')"   # or: . "$STATE_DIR/env"
#
# Missing packages are installed, stopped services are started, and services that
# already answer are left alone, so running it again is cheap.
#
# stdout carries nothing but KEY=VALUE lines (WOLFPY_TEST_<NAME>_URL=...), one per
# service that is up; progress and errors go to stderr. The same values are written
# as `export` lines to $WOLFPY_SERVICES_DIR/env (default /var/tmp/wolfpy-services/env).
#
# Exit status is non-zero when a requested service could not be started. The Mongo
# emulator is optional (a warning, no URL) unless WOLFPY_REQUIRE_MONGO=1.
#
# Knobs: WOLFPY_SERVICES, WOLFPY_SERVICES_DIR, WOLFPY_REQUIRE_MONGO,
#        WOLFPY_MONGO_PYTHON (interpreter for the emulator venv),
#        WOLFPY_MONGOECO_SPEC (default "mongoeco[wire]==4.11.0").
# Stop everything again with scripts/services-stop.sh.
set -euo pipefail

SCRIPTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
STATE_DIR=${WOLFPY_SERVICES_DIR:-/var/tmp/wolfpy-services}
REQUESTED=${WOLFPY_SERVICES:-postgres mysql redis mongo}
MONGOECO_SPEC=${WOLFPY_MONGOECO_SPEC:-mongoeco[wire]==4.11.0}

# Test-only credentials, shared by PostgreSQL and MariaDB.
DB_USER=wolfpy
DB_PASSWORD=wolfpy
DB_NAME=wolfpy_test

PG_PORT=5432
MYSQL_PORT=3306
MYSQL_SOCKET=/run/mysqld/mysqld.sock
REDIS_PORT=6379
MONGO_PORT=27017

# ----------------------------------------------------------------------------- helpers
note() { printf 'services: %s\n' "$*" >&2; }
warn() { printf 'services: WARNING: %s\n' "$*" >&2; }
fatal() { printf 'services: ERROR: %s\n' "$*" >&2; exit 1; }

now_ms() { date +%s%3N; }
took() { local ms=$(( $(now_ms) - $1 )); printf '%d.%01ds' $((ms / 1000)) $((ms % 1000 / 100)); }

requested() { [[ " $REQUESTED " == *" $1 "* ]]; }

# port_answers PORT: something accepts TCP connections on 127.0.0.1:PORT.
port_answers() { timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; }

# poll SECONDS WATCH_PID|- COMMAND...: retry COMMAND every 0.2 s until it succeeds;
# give up after SECONDS, or as soon as WATCH_PID (the process we just launched) dies.
poll() {
  local deadline=$((SECONDS + $1)) watch=$2
  shift 2
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then return 1; fi
    if [[ $watch != - ]] && ! kill -0 "$watch" 2>/dev/null; then return 1; fi
    sleep 0.2
  done
}

# publish KEY VALUE: record a URL for stdout and the env file.
publish() { printf '%s=%s\n' "$1" "$2" >>"$STATE_DIR/urls.partial"; }

# ----------------------------------------------------------------------------- checks
[[ $(id -u) == 0 ]] || fatal "must run as root (it installs packages and starts daemons)"
for name in $REQUESTED; do
  case $name in
    postgres | mysql | redis | mongo) ;;
    *) fatal "unknown service '$name' in WOLFPY_SERVICES (known: postgres mysql redis mongo)" ;;
  esac
done
mkdir -p "$STATE_DIR"
: >"$STATE_DIR/urls.partial"
started_at=$(now_ms)

# ----------------------------------------------------------------------------- packages
install_missing_packages() {
  local -a wanted=()
  if requested postgres && ! compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null; then
    wanted+=(postgresql)
  fi
  if requested mysql && ! command -v mariadbd >/dev/null; then wanted+=(mariadb-server); fi
  if requested redis && ! command -v redis-server >/dev/null; then wanted+=(redis-server); fi
  ((${#wanted[@]})) || return 0

  local t0 own_policy=0
  t0=$(now_ms)
  note "installing ${wanted[*]} (apt-get)"
  # Package scripts must not launch daemons with the distro's settings: we start
  # them ourselves below. Debian images usually ship such a policy already.
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 0755 /usr/sbin/policy-rc.d
    own_policy=1
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  local -a apt=(apt-get -q -o DPkg::Lock::Timeout=300
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
  local log=$STATE_DIR/apt-get.log
  if ! { DEBIAN_FRONTEND=noninteractive "${apt[@]}" update &&
    DEBIAN_FRONTEND=noninteractive "${apt[@]}" install -y --no-install-recommends "${wanted[@]}"; } \
    </dev/null >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    fatal "apt-get could not install ${wanted[*]} (log: $log)"
  fi
  if ((own_policy)); then
    rm -f /usr/sbin/policy-rc.d
    trap - EXIT
  fi
  note "packages installed in $(took "$t0")"
}

# ----------------------------------------------------------------------------- PostgreSQL
start_postgres() {
  local t0 version status port conf
  t0=$(now_ms)
  version=$(find /usr/lib/postgresql -mindepth 1 -maxdepth 1 -printf '%f\n' | sort -V | tail -n 1)
  [[ -n $version ]] || { warn "no PostgreSQL server found under /usr/lib/postgresql"; return 1; }

  if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" { found = 1 } END { exit !found }'; then
    note "creating PostgreSQL $version cluster 'main'"
    pg_createcluster "$version" main --port "$PG_PORT" >&2
  fi
  read -r port status < <(pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" { print $3, $4 }')
  if [[ $port != "$PG_PORT" ]]; then
    warn "cluster $version/main listens on port $port, the tests expect $PG_PORT"
    return 1
  fi

  # A throwaway test database: speed matters more than crash safety.
  conf=/etc/postgresql/$version/main/conf.d/90-wolfpy-tests.conf
  if [[ ! -f $conf ]]; then
    cat >"$conf" <<'EOF'
# Written by WolfPy's scripts/services.sh: a disposable test cluster.
listen_addresses = '127.0.0.1'
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
  fi

  if [[ $status != online* ]]; then
    if port_answers "$PG_PORT"; then
      warn "port $PG_PORT is in use, but cluster $version/main is not running"
      return 1
    fi
    note "starting PostgreSQL $version/main"
    pg_ctlcluster "$version" main start </dev/null >&2
  fi
  if ! poll 30 - pg_isready -q -h 127.0.0.1 -p "$PG_PORT"; then
    warn "PostgreSQL did not become ready; see /var/log/postgresql/postgresql-$version-main.log"
    return 1
  fi

  # Role and database, created once; the password is reset every time.
  runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -p "$PG_PORT" -d postgres \
    -v user="$DB_USER" -v password="$DB_PASSWORD" -v db="$DB_NAME" >&2 <<'SQL'
SELECT format('CREATE ROLE %I LOGIN CREATEDB', :'user')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'user') \gexec
ALTER ROLE :"user" WITH LOGIN CREATEDB PASSWORD :'password';
SELECT format('CREATE DATABASE %I OWNER %I', :'db', :'user')
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'db') \gexec
SQL
  if ! PGPASSWORD=$DB_PASSWORD PGCONNECT_TIMEOUT=5 psql -X -qtA -h 127.0.0.1 -p "$PG_PORT" \
    -U "$DB_USER" -d "$DB_NAME" -c 'SELECT 1' >/dev/null; then
    warn "cannot log in to PostgreSQL as $DB_USER over TCP"
    return 1
  fi
  note "postgres $version ready on 127.0.0.1:$PG_PORT ($(took "$t0"))"
  publish WOLFPY_TEST_POSTGRES_URL "postgresql://$DB_USER:$DB_PASSWORD@127.0.0.1:$PG_PORT/$DB_NAME"
}

# ----------------------------------------------------------------------------- MariaDB
mysql_alive() { mariadb-admin --protocol=socket --socket="$MYSQL_SOCKET" -uroot ping; }
mysql_login() {
  mariadb --protocol=tcp -h 127.0.0.1 -P "$MYSQL_PORT" -u"$DB_USER" -p"$DB_PASSWORD" \
    --connect-timeout=5 -e 'SELECT 1' "$DB_NAME"
}

start_mysql() {
  local t0 rundir=$STATE_DIR/mariadb pid
  t0=$(now_ms)
  if ! mysql_alive >/dev/null 2>&1; then
    if port_answers "$MYSQL_PORT"; then
      if mysql_login >/dev/null 2>&1; then
        note "port $MYSQL_PORT: a MySQL-compatible server we did not start accepts our login; using it"
        publish WOLFPY_TEST_MYSQL_URL "mysql://$DB_USER:$DB_PASSWORD@127.0.0.1:$MYSQL_PORT/$DB_NAME"
        return 0
      fi
      warn "port $MYSQL_PORT is taken by something that is not our MariaDB"
      return 1
    fi
    # mariadbd drops to user mysql, so its socket, pid and log dirs must be mysql's.
    install -d -o mysql -g mysql -m 0755 /run/mysqld "$rundir"
    if [[ ! -d /var/lib/mysql/mysql ]]; then
      note "initialising the MariaDB data directory"
      install -d -o mysql -g mysql -m 0750 /var/lib/mysql
      if ! mariadb-install-db --user=mysql --datadir=/var/lib/mysql --skip-test-db \
        --auth-root-authentication-method=socket >"$rundir/install-db.log" 2>&1; then
        tail -n 20 "$rundir/install-db.log" >&2
        warn "mariadb-install-db failed"
        return 1
      fi
    fi
    note "starting mariadbd"
    # Run the server directly (mysqld_safe wants a syslog that is not running here),
    # in its own session and with no tie to our stdio, so callers' pipes close.
    setsid mariadbd --user=mysql --datadir=/var/lib/mysql \
      --bind-address=127.0.0.1 --port="$MYSQL_PORT" --socket="$MYSQL_SOCKET" \
      --pid-file="$rundir/mariadbd.pid" --log-error="$rundir/mariadbd.log" \
      --skip-name-resolve --innodb-flush-log-at-trx-commit=0 \
      </dev/null >/dev/null 2>&1 &
    pid=$!
    if ! poll 60 "$pid" mysql_alive; then
      tail -n 20 "$rundir/mariadbd.log" >&2 || true
      warn "MariaDB did not come up (log: $rundir/mariadbd.log)"
      return 1
    fi
  fi

  mariadb --protocol=socket --socket="$MYSQL_SOCKET" -uroot >&2 <<SQL
CREATE DATABASE IF NOT EXISTS \`$DB_NAME\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS '$DB_USER'@'localhost' IDENTIFIED BY '$DB_PASSWORD';
CREATE USER IF NOT EXISTS '$DB_USER'@'127.0.0.1' IDENTIFIED BY '$DB_PASSWORD';
CREATE USER IF NOT EXISTS '$DB_USER'@'%' IDENTIFIED BY '$DB_PASSWORD';
GRANT ALL PRIVILEGES ON *.* TO '$DB_USER'@'localhost';
GRANT ALL PRIVILEGES ON *.* TO '$DB_USER'@'127.0.0.1';
GRANT ALL PRIVILEGES ON *.* TO '$DB_USER'@'%';
SQL
  if ! mysql_login >/dev/null; then
    warn "cannot log in to MariaDB as $DB_USER over TCP"
    return 1
  fi
  note "mysql (MariaDB) ready on 127.0.0.1:$MYSQL_PORT ($(took "$t0"))"
  publish WOLFPY_TEST_MYSQL_URL "mysql://$DB_USER:$DB_PASSWORD@127.0.0.1:$MYSQL_PORT/$DB_NAME"
}

# ----------------------------------------------------------------------------- Redis
redis_alive() { [[ $(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null) == PONG ]]; }

start_redis() {
  local t0
  t0=$(now_ms)
  if ! redis_alive; then
    if port_answers "$REDIS_PORT"; then
      warn "port $REDIS_PORT is taken by something that does not answer Redis PING"
      return 1
    fi
    note "starting redis-server"
    # --daemonize points the daemon's stdio at /dev/null; no persistence at all.
    redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" \
      --save '' --appendonly no --dir "$STATE_DIR" \
      --pidfile "$STATE_DIR/redis.pid" --logfile "$STATE_DIR/redis.log" </dev/null >&2
    if ! poll 15 - redis_alive; then
      tail -n 20 "$STATE_DIR/redis.log" >&2 || true
      warn "Redis did not come up (log: $STATE_DIR/redis.log)"
      return 1
    fi
  fi
  note "redis ready on 127.0.0.1:$REDIS_PORT ($(took "$t0"))"
  publish WOLFPY_TEST_REDIS_URL "redis://127.0.0.1:$REDIS_PORT/0"
}

# ----------------------------------------------------------------------------- Mongo emulator
MONGO_VENV=$STATE_DIR/mongoeco-venv
MONGO_PIDFILE=$STATE_DIR/mongoeco.pid
MONGO_LOG=$STATE_DIR/mongoeco.log

# Print the first interpreter that is Python >= 3.13 (a plain build, not free-threaded).
find_mongo_python() {
  local -a candidates=()
  if [[ -n ${WOLFPY_MONGO_PYTHON:-} ]]; then
    candidates=("$WOLFPY_MONGO_PYTHON")
  else
    local root dir
    root=${PYENV_ROOT:-}
    if [[ -z $root ]] && command -v pyenv >/dev/null; then root=$(pyenv root 2>/dev/null || true); fi
    root=${root:-$HOME/.pyenv}
    if [[ -d $root/versions ]]; then
      while IFS= read -r dir; do
        candidates+=("$dir/bin/python3")
      done < <(find "$root/versions" -mindepth 1 -maxdepth 1 -name '3.*' ! -name '*t' -printf '%p\n' | sort -rV)
    fi
    candidates+=(python3.15 python3.14 python3.13 python3)
  fi
  local c
  for c in "${candidates[@]}"; do
    if command -v "$c" >/dev/null 2>&1 &&
      "$c" -c 'import sys, sysconfig
sys.exit(sys.version_info < (3, 13) or bool(sysconfig.get_config_var("Py_GIL_DISABLED")))' \
        >/dev/null 2>&1; then
      command -v "$c"
      return 0
    fi
  done
  return 1
}

mongo_ping() {
  "$MONGO_VENV/bin/python" - "$MONGO_PORT" <<'PY'
import sys
from pymongo import MongoClient

client = MongoClient(f"mongodb://127.0.0.1:{sys.argv[1]}/?directConnection=true",
                     serverSelectionTimeoutMS=3000, connectTimeoutMS=3000)
try:
    client.admin.command("ping")
finally:
    client.close()
PY
}

# Is the pid file's process our emulator, still running?
mongo_ours_running() {
  local pid
  [[ -s $MONGO_PIDFILE ]] || return 1
  pid=$(<"$MONGO_PIDFILE")
  [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null &&
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q mongo_emulator.py
}

ensure_mongo_venv() {
  local python=$1 marker=$MONGO_VENV/.wolfpy-spec t0
  if [[ -x $MONGO_VENV/bin/python && -f $marker && $(<"$marker") == "$MONGOECO_SPEC" ]]; then
    return 0
  fi
  t0=$(now_ms)
  note "installing $MONGOECO_SPEC into $MONGO_VENV (with $python)"
  rm -rf "$MONGO_VENV"
  "$python" -m venv "$MONGO_VENV" >&2 || return 1
  if ! "$MONGO_VENV/bin/python" -m pip install --disable-pip-version-check -q "$MONGOECO_SPEC" \
    </dev/null >"$STATE_DIR/mongoeco-pip.log" 2>&1; then
    tail -n 30 "$STATE_DIR/mongoeco-pip.log" >&2
    rm -rf "$MONGO_VENV"
    warn "pip could not install $MONGOECO_SPEC (log: $STATE_DIR/mongoeco-pip.log)"
    return 1
  fi
  printf '%s\n' "$MONGOECO_SPEC" >"$marker"
  note "mongoeco installed in $(took "$t0")"
}

start_mongo() {
  local t0 python pid
  t0=$(now_ms)
  if ! mongo_ours_running || ! port_answers "$MONGO_PORT"; then
    if port_answers "$MONGO_PORT"; then
      warn "port $MONGO_PORT is taken by a process this script did not start"
      return 1
    fi
    if ! python=$(find_mongo_python); then
      if [[ -n ${WOLFPY_MONGO_PYTHON:-} ]]; then
        warn "WOLFPY_MONGO_PYTHON=$WOLFPY_MONGO_PYTHON is not a usable Python >= 3.13"
      else
        warn "no Python >= 3.13 found (looked in pyenv and on PATH; set WOLFPY_MONGO_PYTHON)"
      fi
      return 1
    fi
    ensure_mongo_venv "$python" || return 1
    note "starting the mongoeco wire emulator"
    setsid "$MONGO_VENV/bin/python" "$SCRIPTS_DIR/mongo_emulator.py" \
      --host 127.0.0.1 --port "$MONGO_PORT" </dev/null >"$MONGO_LOG" 2>&1 &
    pid=$!
    printf '%s\n' "$pid" >"$MONGO_PIDFILE"
    if ! poll 60 "$pid" port_answers "$MONGO_PORT" || ! mongo_ping >/dev/null 2>&1; then
      tail -n 20 "$MONGO_LOG" >&2 || true
      warn "the Mongo emulator did not answer a ping (log: $MONGO_LOG)"
      return 1
    fi
  fi
  note "mongo (mongoeco emulator) ready on 127.0.0.1:$MONGO_PORT ($(took "$t0"))"
  publish WOLFPY_TEST_MONGO_URL "mongodb://127.0.0.1:$MONGO_PORT/$DB_NAME?directConnection=true"
}

# ----------------------------------------------------------------------------- main
install_missing_packages >&2

failed=()
for name in postgres mysql redis mongo; do
  requested "$name" || continue
  # Each service runs in a subshell with errexit on, so one failure is reported
  # and the remaining services still get their chance.
  set +e
  (
    set -e
    "start_$name"
  ) >&2
  rc=$?
  set -e
  if ((rc != 0)); then
    if [[ $name == mongo && ${WOLFPY_REQUIRE_MONGO:-0} != 1 ]]; then
      warn "Mongo emulator unavailable: Mongo tests will be skipped (WOLFPY_REQUIRE_MONGO=1 makes this an error)"
    else
      failed+=("$name")
    fi
  fi
done

# Publish: the env file (atomically), then stdout. Lines of services that were not
# requested this time are carried over from the previous env file.
env_tmp=$STATE_DIR/env.partial
: >"$env_tmp"
if [[ -f $STATE_DIR/env ]]; then
  while IFS= read -r line; do
    [[ $line =~ ^export\ WOLFPY_TEST_([A-Z]+)_URL= ]] || continue
    requested "${BASH_REMATCH[1],,}" || printf '%s\n' "$line" >>"$env_tmp"
  done <"$STATE_DIR/env"
fi
while IFS='=' read -r key value; do
  printf "export %s='%s'\n" "$key" "$value" >>"$env_tmp" # URLs hold no single quotes
done <"$STATE_DIR/urls.partial"
mv -f "$env_tmp" "$STATE_DIR/env"
cat "$STATE_DIR/urls.partial"
rm -f "$STATE_DIR/urls.partial"

if ((${#failed[@]})); then
  fatal "could not start: ${failed[*]} (after $(took "$started_at"))"
fi
note "services up in $(took "$started_at"); env file: $STATE_DIR/env"
