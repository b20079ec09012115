"""npm ``oidc-provider@9`` run with this machine's Node.js, installed on first use into a
folder kept between runs (``$WOLFPY_OIDC_PROVIDER_DIR``, default /var/tmp/wolfpy-oidc-provider)
with its own npm cache. Missing Node.js or a failed install skips the test locally and
fails it when ``WOLFPY_REQUIRE_SERVICES=1`` (CI)."""
from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
FOLDER = Path(os.environ.get("WOLFPY_OIDC_PROVIDER_DIR", "/var/tmp/wolfpy-oidc-provider"))
PACKAGE = "oidc-provider@9"


def _unavailable(problem: str) -> None:
    if os.environ.get("WOLFPY_REQUIRE_SERVICES") == "1":
        pytest.fail(f"OpenID Connect provider unavailable: {problem} [WOLFPY_REQUIRE_SERVICES=1]", pytrace=False)
    pytest.skip(problem)


def installed() -> Path:
    """The folder holding node_modules/oidc-provider (npm install on first use)."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        _unavailable("node and npm are needed (apt-get install -y nodejs npm)")
    if not (FOLDER / "node_modules" / "oidc-provider" / "package.json").is_file():
        FOLDER.mkdir(parents=True, exist_ok=True)
        if not (FOLDER / "package.json").is_file():
            (FOLDER / "package.json").write_text('{"name": "wolfpy-oidc-test", "private": true}\n')
        done = subprocess.run([str(npm), "install", "--no-audit", "--no-fund", "--cache", str(FOLDER / ".npm-cache"),
                               PACKAGE], cwd=FOLDER, capture_output=True, text=True, timeout=300)
        if done.returncode != 0:
            _unavailable(f"npm install {PACKAGE} failed: {done.stderr.strip()[-500:]}")
    shutil.copyfile(HERE / "oidc_provider.mjs", FOLDER / "oidc_provider.mjs")
    return FOLDER


class OIDCProvider:
    def __init__(self, port: int, client_id: str, client_secret: str, redirect_uri: str, logs: Path) -> None:
        self.port = port
        self.issuer = f"http://127.0.0.1:{port}"
        self.env = {**os.environ, "OIDC_PORT": str(port), "OIDC_CLIENT_ID": client_id,
                    "OIDC_CLIENT_SECRET": client_secret, "OIDC_REDIRECT_URI": redirect_uri}
        logs.mkdir(parents=True, exist_ok=True)
        self.log = logs / "oidc-provider.log"
        self.proc: Any = None

    def start(self) -> "OIDCProvider":
        folder = installed()
        with open(self.log, "wb") as out:   # the child keeps its own copy
            self.proc = subprocess.Popen(["node", "oidc_provider.mjs"], cwd=folder, env=self.env, stdout=out,
                                         stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 30
        while "ready" not in self.log.read_text(errors="replace"):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"oidc-provider did not start:\n{self.log.read_text(errors='replace')}")
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
