#!/usr/bin/env bash
# WolfPy's one test command (it runs from the repository root, wherever it is called from;
# give test paths relative to that root):
#
#   bash scripts/test.sh [pytest args...]      e.g.  bash scripts/test.sh -x -k routing
#
# 1. Makes (or reuses) a virtualenv at .venv, so packages that happen to be installed
#    globally cannot hide a missing dependency. WOLFPY_NO_VENV=1 uses the current
#    interpreter instead; WOLFPY_PYTHON picks the interpreter (default python3).
# 2. Installs the project with `pip install -e '.[dev]'` (again only when pyproject.toml
#    changed since the last run, or when WOLFPY_REINSTALL=1).
# 3. As root, starts PostgreSQL, MariaDB, Redis and the Mongo emulator with
#    scripts/services.sh; otherwise uses whatever runs already (URLs from the
#    services env file, if any). WOLFPY_START_SERVICES=0/1 overrides the choice.
#    WOLFPY_TEST_<NAME>_URL variables that are already set win.
#    As root, also installs Debian's chromium (for the headless browser test) and
#    openssh-server (for the ssh deploy test) when missing.
# 4. Runs `python -m pytest [args]` from the repository root. Exit code 5 (no tests
#    collected) is reported as a failure.
#
# WOLFPY_REQUIRE_SERVICES=1 (CI) turns a service that cannot be started into an error,
# here and in tests/services.py, instead of skipped tests.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

say() { printf 'test.sh: %s\n' "$*" >&2; }
die() {
  printf 'test.sh: ERROR: %s\n' "$*" >&2
  exit 1
}
is_root() { [[ $(id -u) == 0 ]]; }

# ----------------------------------------------------------------------------- interpreter
BASE_PYTHON=${WOLFPY_PYTHON:-python3}
command -v "$BASE_PYTHON" >/dev/null || die "no '$BASE_PYTHON' on PATH (set WOLFPY_PYTHON)"
"$BASE_PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 10))' ||
  die "$BASE_PYTHON is $("$BASE_PYTHON" -V 2>&1); WolfPy needs Python >= 3.10"

make_venv() {
  if "$BASE_PYTHON" -m venv "$VENV"; then return 0; fi
  # Debian's own python3 ships without ensurepip until python3-venv is installed.
  if is_root && command -v apt-get >/dev/null; then
    say "'$BASE_PYTHON -m venv' failed; installing python3-venv"
    rm -rf "$VENV"
    DEBIAN_FRONTEND=noninteractive apt-get -qq update </dev/null >&2 &&
      DEBIAN_FRONTEND=noninteractive apt-get -qq install -y python3-venv </dev/null >&2 &&
      "$BASE_PYTHON" -m venv "$VENV" && return 0
  fi
  die "could not create a virtualenv at $VENV (install python3-venv, or set WOLFPY_NO_VENV=1)"
}

if [[ ${WOLFPY_NO_VENV:-0} == 1 ]]; then
  PY=$(command -v "$BASE_PYTHON")
  STAMP=
else
  VENV=${WOLFPY_VENV:-$ROOT/.venv}
  PY=$VENV/bin/python
  STAMP=$VENV/.wolfpy-dev-install
  if ! "$PY" -c 'import pip' >/dev/null 2>&1; then
    # Only ever delete something that is recognisably a virtualenv.
    if [[ -e $VENV && ! -f $VENV/pyvenv.cfg ]] && [[ -n $(ls -A "$VENV") ]]; then
      die "$VENV exists but is not a virtualenv; move it away or set WOLFPY_VENV"
    fi
    say "creating virtualenv $VENV with $("$BASE_PYTHON" -V 2>&1)"
    rm -rf "$VENV"
    make_venv
  fi
fi

# ----------------------------------------------------------------------------- install
install_fingerprint() {
  { cat pyproject.toml; printf '%s\n' "$ROOT"; "$PY" -VV; } | sha256sum | cut -d' ' -f1
}
needs_install() {
  [[ -z $STAMP || ${WOLFPY_REINSTALL:-0} == 1 || ! -f $STAMP ]] && return 0
  [[ $(<"$STAMP") != "$(install_fingerprint)" ]] && return 0
  # The stamp says installed: make sure it still is.
  ! "$PY" -c 'import importlib.metadata as m, pytest; m.distribution("wolfpy")' >/dev/null 2>&1
}

if needs_install; then
  say "pip install -e '.[dev]' into $("$PY" -c 'import sys; print(sys.prefix)')"
  pip_log=$(mktemp "${TMPDIR:-/tmp}/wolfpy-pip.XXXXXX")
  if ! "$PY" -m pip install --no-input --disable-pip-version-check -e '.[dev]' \
    </dev/null >"$pip_log" 2>&1; then
    grep -v 'is ignored: it is neither a file nor a directory' "$pip_log" | tail -n 40 >&2
    die "pip install -e '.[dev]' failed (full log: $pip_log)"
  fi
  rm -f "$pip_log"
  if [[ -n $STAMP ]]; then install_fingerprint >"$STAMP"; fi
fi

# ----------------------------------------------------------------------------- services
# export_url KEY VALUE: export a WOLFPY_TEST_*_URL unless the caller set it already.
export_url() {
  if [[ -n ${!1:-} ]]; then
    say "keeping $1 from the environment"
  else
    export "$1=$2"
  fi
}

start_services=${WOLFPY_START_SERVICES:-auto}
if [[ $start_services == auto ]]; then
  if is_root; then start_services=1; else start_services=0; fi
fi

if [[ $start_services == 1 ]]; then
  say "starting test services (scripts/services.sh)"
  set +e
  service_lines=$(bash "$ROOT/scripts/services.sh" </dev/null)
  services_rc=$?
  set -e
  if ((services_rc != 0)); then
    if [[ ${WOLFPY_REQUIRE_SERVICES:-0} == 1 ]]; then
      die "scripts/services.sh failed (exit $services_rc) and WOLFPY_REQUIRE_SERVICES=1"
    fi
    say "WARNING: some services did not start; tests that need them will be skipped"
  fi
  while IFS= read -r line; do
    if [[ $line =~ ^(WOLFPY_TEST_[A-Z]+_URL)=(.+)$ ]]; then
      export_url "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}"
    fi
  done <<<"$service_lines"
else
  env_file=${WOLFPY_SERVICES_DIR:-/var/tmp/wolfpy-services}/env
  if [[ -r $env_file ]]; then
    say "not starting services; using the URLs in $env_file"
    while IFS= read -r line; do
      if [[ $line =~ ^export\ (WOLFPY_TEST_[A-Z]+_URL)=\'([^\']+)\'$ ]]; then
        export_url "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}"
      fi
    done <"$env_file"
  else
    say "not starting services; tests needing one without a WOLFPY_TEST_*_URL are skipped"
  fi
fi

have=()
for name in POSTGRES MYSQL REDIS MONGO; do
  var=WOLFPY_TEST_${name}_URL
  if [[ -n ${!var:-} ]]; then have+=("${name,,}"); fi
done
say "service URLs exported for: ${have[*]:-none}"

# ----------------------------------------------------------------------------- chromium
# tests/e2e/test_auth_flow.py drives Debian's Chromium (/usr/bin/chromium) with Playwright
# (the pip package from the dev extra; never `playwright install`, which downloads a
# browser build). As root, install it when it is missing; otherwise that test skips, or
# fails under WOLFPY_REQUIRE_SERVICES=1. WOLFPY_INSTALL_CHROMIUM=0 skips this step.
if [[ ${WOLFPY_INSTALL_CHROMIUM:-1} == 1 && ! -x /usr/bin/chromium ]] && is_root && command -v apt-get >/dev/null; then
  say "installing chromium (apt-get) for the headless browser test"
  apt=(apt-get -q -o DPkg::Lock::Timeout=300 -o Dpkg::Options::=--force-confdef
    -o Dpkg::Options::=--force-confold)
  apt_log=$(mktemp "${TMPDIR:-/tmp}/wolfpy-apt.XXXXXX")
  if { DEBIAN_FRONTEND=noninteractive "${apt[@]}" update &&
    DEBIAN_FRONTEND=noninteractive "${apt[@]}" install -y --no-install-recommends chromium; } \
    </dev/null >"$apt_log" 2>&1; then
    rm -f "$apt_log"
  else
    tail -n 20 "$apt_log" >&2
    if [[ ${WOLFPY_REQUIRE_SERVICES:-0} == 1 ]]; then
      die "apt-get could not install chromium (log: $apt_log) and WOLFPY_REQUIRE_SERVICES=1"
    fi
    say "WARNING: chromium could not be installed (log: $apt_log); the browser test will be skipped"
  fi
fi

# ----------------------------------------------------------------------------- node.js
# tests/e2e/test_oauth_flow.py signs in against npm's oidc-provider, which it installs on first
# use (npm, its own cache) into /var/tmp/wolfpy-oidc-provider and runs with Node.js (20 or
# later). As root, install Debian's nodejs and npm when node is missing; otherwise that test
# skips (fails under WOLFPY_REQUIRE_SERVICES=1). WOLFPY_INSTALL_NODE=0 skips this step.
if [[ ${WOLFPY_INSTALL_NODE:-1} == 1 ]] && ! command -v node >/dev/null && is_root && command -v apt-get >/dev/null; then
  say "installing nodejs and npm (apt-get) for the OpenID Connect test"
  if ! DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=300 install -y --no-install-recommends \
    nodejs npm </dev/null >/dev/null 2>&1; then
    say "WARNING: nodejs could not be installed; the OpenID Connect test will be skipped"
  fi
fi

# ----------------------------------------------------------------------------- openssh-server
# tests/e2e/test_deploy_targets.py deploys over ssh to an OpenSSH server it starts itself on a
# loopback port (its own host key and authorized key, no system service). As root, install
# Debian's openssh-server when sshd is missing; otherwise that test skips (fails under
# WOLFPY_REQUIRE_SERVICES=1). WOLFPY_INSTALL_SSHD=0 skips this step.
if [[ ${WOLFPY_INSTALL_SSHD:-1} == 1 && ! -x /usr/sbin/sshd ]] && is_root && command -v apt-get >/dev/null; then
  say "installing openssh-server (apt-get) for the ssh deploy test"
  apt=(apt-get -q -o DPkg::Lock::Timeout=300 -o Dpkg::Options::=--force-confdef
    -o Dpkg::Options::=--force-confold)
  apt_log=$(mktemp "${TMPDIR:-/tmp}/wolfpy-apt.XXXXXX")
  if { DEBIAN_FRONTEND=noninteractive "${apt[@]}" update &&
    DEBIAN_FRONTEND=noninteractive "${apt[@]}" install -y --no-install-recommends openssh-server openssh-client; } \
    </dev/null >"$apt_log" 2>&1; then
    rm -f "$apt_log"
  else
    tail -n 20 "$apt_log" >&2
    if [[ ${WOLFPY_REQUIRE_SERVICES:-0} == 1 ]]; then
      die "apt-get could not install openssh-server (log: $apt_log) and WOLFPY_REQUIRE_SERVICES=1"
    fi
    say "WARNING: openssh-server could not be installed (log: $apt_log); the ssh deploy test will be skipped"
  fi
fi

# ----------------------------------------------------------------------------- wrk
# tests/test_tfb_smoke.py drives real servers with wrk (benchmarks/tfb/run.py). As root,
# install Debian's wrk when it is missing; otherwise that test skips (fails under
# WOLFPY_REQUIRE_SERVICES=1). WOLFPY_INSTALL_WRK=0 skips this step.
if [[ ${WOLFPY_INSTALL_WRK:-1} == 1 ]] && ! command -v wrk >/dev/null && is_root && command -v apt-get >/dev/null; then
  say "installing wrk (apt-get) for the TechEmpower benchmark smoke test"
  if ! { DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=300 update &&
    DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=300 install -y --no-install-recommends wrk; } \
    </dev/null >/dev/null 2>&1; then
    say "WARNING: wrk could not be installed; the TechEmpower benchmark smoke test will be skipped"
  fi
fi

# ----------------------------------------------------------------------------- pytest
say "running: python -m pytest${*:+ $*}"
set +e
"$PY" -m pytest "$@"
rc=$?
set -e
if ((rc == 5)); then
  say "ERROR: pytest collected no tests (exit code 5). A run that tests nothing is a failure:"
  say "check the arguments, test file names (test_*.py) and tests/ for import errors."
fi
exit "$rc"
