"""``wolfpy deploy`` to a folder and over ssh, to a running gunicorn, and ``--rollback``.

For each target the test deploys version 1.0.0, starts gunicorn on
``<target>/current`` (``WOLFPY_PROJECT``), then deploys 1.1.0 and rolls back while a
bounded loop of requests on loopback runs: every request must succeed, and the answers
go v1 → v2 → v1. The restart is ``[deploy] restart`` (``kill -HUP`` of gunicorn's pid
file: new workers load the new ``current``, old ones finish their requests).

The ssh target is a real OpenSSH server (Debian's ``openssh-server``) that the test
starts itself on a loopback port, with a throw-away host key (pinned in a known_hosts
file) and a throw-away client key; nothing of the system's ssh setup is used.

To keep the test fast the release runs on this interpreter (``venv = false``, with
``PYTHONPATH`` from ``shared/environment``) instead of a fresh virtualenv per release.
"""
from __future__ import annotations

import getpass
import http.client
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Iterator

import pytest

from .conftest import HOST, REPO_ROOT, Server, free_port, server_env
from .test_devserver import run_cli

pytestmark = pytest.mark.e2e

SSHD = "/usr/sbin/sshd"


def route(text: str) -> str:
    return f"def get(request):\n    return {text!r}\n"


def toml(version: str, target: str, ssh_options: list[str] | None = None) -> str:
    options = ", ".join(f'"{o}"' for o in ssh_options or [])
    return (f'[app]\nname = "shop"\nversion = "{version}"\n\n[deploy]\ntarget = "{target}"\n'
            f'python = "{sys.executable}"\nvenv = false\nkeep = 3\n'
            "restart = \"[ ! -f gunicorn.pid ] || kill -HUP $(cat gunicorn.pid)\"\n"
            f"ssh_options = [{options}]\n")


@pytest.fixture(scope="module")
def sshd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    if not os.path.exists(SSHD):
        message = f"{SSHD} is missing (apt-get install -y openssh-server; scripts/test.sh does it as root)"
        if os.environ.get("WOLFPY_REQUIRE_SERVICES") == "1":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    home = tmp_path_factory.mktemp("sshd")
    for name in ("host_key", "client_key"):
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(home / name)], check=True)
    (home / "authorized_keys").write_text((home / "client_key.pub").read_text())
    port = free_port()
    host_public = (home / "host_key.pub").read_text().split()
    (home / "known_hosts").write_text(f"[{HOST}]:{port} {host_public[0]} {host_public[1]}\n")
    (home / "sshd_config").write_text(
        f"Port {port}\nListenAddress {HOST}\nHostKey {home / 'host_key'}\nPidFile {home / 'sshd.pid'}\n"
        f"AuthorizedKeysFile {home / 'authorized_keys'}\nPubkeyAuthentication yes\n"
        "PasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM no\nStrictModes no\n"
        "PermitRootLogin prohibit-password\n")
    if os.geteuid() == 0:
        os.makedirs("/run/sshd", mode=0o755, exist_ok=True)   # sshd's privilege-separation folder
    log = open(home / "sshd.log", "wb")
    proc = subprocess.Popen([SSHD, "-D", "-e", "-f", str(home / "sshd_config")], stdout=log, stderr=log,
                            start_new_session=True)
    options = ["-F", "/dev/null", "-i", str(home / "client_key"), "-o", "IdentitiesOnly=yes",
               "-o", f"UserKnownHostsFile={home / 'known_hosts'}", "-o", "StrictHostKeyChecking=yes",
               "-o", "ConnectTimeout=10"]
    user = getpass.getuser()
    try:
        deadline = time.monotonic() + 15
        while subprocess.run(["ssh", *options, "-o", "BatchMode=yes", "-p", str(port), f"{user}@{HOST}", "true"],
                             capture_output=True).returncode != 0:
            assert proc.poll() is None and time.monotonic() < deadline, (home / "sshd.log").read_text()
            time.sleep(0.2)
        yield {"port": port, "user": user, "options": options}
    finally:
        os.killpg(proc.pid, 15)
        proc.wait(10)
        log.close()


def get(port: int) -> tuple[int, str]:
    conn = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        conn.request("GET", "/")
        resp = conn.getresponse()
        return resp.status, resp.read().decode()
    finally:
        conn.close()


class Load:
    """A bounded loop of GET / on loopback, in a thread, recording every answer."""

    def __init__(self, port: int, limit: int = 20000) -> None:
        self.port, self.limit = port, limit
        self.answers: list[tuple[int, str]] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self) -> None:
        while not self.stop.is_set() and len(self.answers) < self.limit:
            try:
                self.answers.append(get(self.port))
            except OSError as exc:
                self.answers.append((0, repr(exc)))
            time.sleep(0.003)   # steady traffic, leaving the CPUs to the deploy

    def until(self, body: str, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while not (self.answers and self.answers[-1] == (200, body)):
            assert time.monotonic() < deadline and self.thread.is_alive(), f"never served {body!r}: {self.answers[-3:]}"
            time.sleep(0.05)


def deploy(project: Path, *args: str) -> str:
    result = run_cli(["deploy", *args], cwd=project, env=server_env(secret=None), timeout=120)
    assert result.returncode == 0, result
    return result.stdout


@pytest.mark.parametrize("kind", ["folder", "ssh"])
def test_deploy_switches_a_running_app_without_a_failed_request(kind: str, tmp_path: Path, request: Any,
                                                                run_server: Any) -> None:
    site = tmp_path / "site"
    if kind == "ssh":
        ssh = request.getfixturevalue("sshd")
        target = f"ssh://{ssh['user']}@{HOST}:{ssh['port']}{site}"
        options = ssh["options"]
    else:
        target, options = str(site), []
    project = tmp_path / "shop"
    (project / "routes").mkdir(parents=True)
    (project / "migrations").mkdir()
    (project / "requirements.txt").write_text("wolfpy\n")
    (project / "wolfpy.toml").write_text(toml("1.0.0", target, options))
    (project / "routes" / "index.py").write_text(route("v1"))
    (site / "shared").mkdir(parents=True)
    (site / "shared" / "environment").write_text(f"PYTHONPATH={REPO_ROOT}\n")

    out = deploy(project)
    assert "current -> releases/1.0.0" in out and "wolfpy db migrate" in out and "deployed 1.0.0" in out
    assert os.readlink(site / "current") == "releases/1.0.0"
    assert os.readlink(site / "releases/1.0.0/db.sqlite3") == "../../shared/db.sqlite3"
    assert (site / "shared" / "db.sqlite3").is_file()                     # migrate ran there

    server: Server = run_server("gunicorn", site, server_env(WOLFPY_PROJECT=str(site / "current")),
                                ("--pid", str(site / "gunicorn.pid"))).wait_ready()
    assert get(server.port) == (200, "v1")

    (project / "wolfpy.toml").write_text(toml("1.1.0", target, options))
    (project / "routes" / "index.py").write_text(route("v2"))
    load = Load(server.port)
    load.thread.start()
    try:
        load.until("v1")
        out = deploy(project)
        assert "restart: [ ! -f gunicorn.pid ] || kill -HUP" in out and "deployed 1.1.0" in out
        load.until("v2")
        assert os.readlink(site / "current") == "releases/1.1.0"
        assert os.readlink(site / "previous") == "releases/1.0.0"
        out = deploy(project, "--rollback")
        assert "rolled back to 1.0.0" in out
        load.until("v1")
    finally:
        load.stop.set()
        load.thread.join(10)
    failed = [a for a in load.answers if a[0] != 200 or a[1] not in ("v1", "v2")]
    assert not failed, f"{len(failed)} of {len(load.answers)} requests failed: {failed[:5]}\n{server.output()}"
    bodies = [body for _status, body in load.answers]
    first_v2, last_v2 = bodies.index("v2"), len(bodies) - 1 - bodies[::-1].index("v2")
    assert "v1" in bodies[:first_v2] and "v1" in bodies[last_v2:] and len(bodies) > 20
    print(f"[{kind}] {len(bodies)} requests during deploy and rollback, none failed")
    assert os.readlink(site / "current") == "releases/1.0.0"
    assert os.readlink(site / "previous") == "releases/1.1.0"


def test_deploy_errors_are_one_line(tmp_path: Path) -> None:
    project = tmp_path / "shop"
    (project / "routes").mkdir(parents=True)
    (project / "wolfpy.toml").write_text('[app]\nname = "shop"\n')
    result = run_cli(["deploy"], cwd=project)
    assert result.returncode == 1
    assert result.stderr.strip() == "error: set [deploy] target in wolfpy.toml: a folder or ssh://user@host/path"
    (project / "wolfpy.toml").write_text('[app]\nname = "shop"\n[deploy]\ntarget = "ftp://example.com/srv"\n')
    result = run_cli(["deploy"], cwd=project)
    assert result.returncode == 1 and result.stderr.strip() == (
        "error: [deploy] target 'ftp://example.com/srv': write a folder or ssh://user@host[:port]/path")
    (project / "wolfpy.toml").write_text('[app]\nname = "shop"\n[deploy]\ntarget = "ssh://-oProxyCommand=touch%20x/srv"\n')
    result = run_cli(["deploy"], cwd=project)
    assert result.returncode == 1 and "not a host name or user name ssh accepts" in result.stderr
    assert not (project / "x").exists()
    (project / "wolfpy.toml").write_text(f'[app]\nname = "shop"\n[deploy]\ntarget = "{tmp_path / "site"}"\n')
    result = run_cli(["deploy", "--rollback"], cwd=project)
    assert result.returncode == 1 and result.stderr.strip().startswith(
        f"error: deploy to {tmp_path / 'site'} failed: nothing to roll back to")
    (tmp_path / "site" / ".deploy-lock").mkdir()           # another deploy holds the target
    result = run_cli(["deploy", "--rollback"], cwd=project)
    assert result.returncode == 1 and "another deploy or rollback is running" in result.stderr
