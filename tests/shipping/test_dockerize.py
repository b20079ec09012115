"""``wolfpy dockerize``: the Dockerfile's structure, and the generated gunicorn.conf.py serving
the project over real HTTP with the Dockerfile's own health probe passing against it.

No Docker engine runs on the test machine (the command says how to build instead); the
image itself is not built here."""
from __future__ import annotations

import http.client
import json
import os
import re
import runpy
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import HOST, free_port, server_env
from tests.e2e.test_devserver import get, run_cli

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    parent = tmp_path_factory.mktemp("dockerize")
    assert run_cli(["new", "shop"], cwd=parent).returncode == 0
    root = parent / "shop"
    (root / "assets" / "css").mkdir(parents=True)
    (root / "assets" / "css" / "app.scss").write_text("body { color: red; }\n")
    result = run_cli(["dockerize", "--no-build"], cwd=root)
    assert result.returncode == 0, result
    assert "not building the image: --no-build" in result.stdout
    assert "docker build -t shop " in result.stdout
    return root


def stages(dockerfile: str) -> list[list[str]]:
    """The instructions of each stage (continuation lines joined, comments dropped)."""
    text = re.sub(r"\\\n\s*", " ", dockerfile)
    out: list[list[str]] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("FROM "):
            out.append([])
        out[-1].append(line)
    return out


def test_the_dockerfile_is_multi_stage_slim_unprivileged_checked_and_probed(project: Path) -> None:
    dockerfile = (project / "Dockerfile").read_text()
    build, final = stages(dockerfile)
    assert re.fullmatch(r"FROM python:3\.\d+-slim AS build", build[0])
    assert any("pip install /wheels/wolfpy-" in i for i in build)          # the framework's wheel
    wheel = re.search(r"/wheels/(wolfpy-[^ ]+\.whl)", dockerfile).group(1)
    assert (project / ".wolfpy" / "wheels" / wheel).is_file()
    assert any(i.startswith("RUN pip install -r requirements.txt") for i in build)
    assert any("wolfpy assets build" in i for i in build)
    assert any(i.startswith("RUN ") and i.endswith("wolfpy check") for i in build)
    assert re.fullmatch(r"FROM python:3\.\d+-slim", final[0])
    assert "COPY --from=build /venv /venv" in final
    user = [i for i in final if i.startswith("USER ")]
    assert user == ["USER app"] and any("useradd" in i and "app" in i for i in final)
    assert final.index("USER app") < next(i for i, x in enumerate(final) if x.startswith("CMD "))
    health = next(i for i in final if i.startswith("HEALTHCHECK "))
    assert "/_wolfpy/health" in health
    assert final[-1] == 'CMD ["gunicorn", "-c", "gunicorn.conf.py"]'
    assert not any("sass" in i for i in final)                              # build tools stay behind
    ignored = (project / ".dockerignore").read_text().split()
    assert {".env", ".venv", ".git", "*.sqlite3", "static/dist/"} <= set(ignored)
    assert ".wolfpy" not in ignored


def test_a_second_run_keeps_files_it_did_not_write(project: Path) -> None:
    result = run_cli(["dockerize", "--no-build"], cwd=project)
    assert result.returncode == 0 and "identical  Dockerfile" in result.stdout
    conf = project / "gunicorn.conf.py"
    original = conf.read_text()
    conf.write_text(original + "# tuned by hand\n")
    try:
        result = run_cli(["dockerize", "--no-build"], cwd=project)
        assert result.returncode == 1
        assert result.stderr.strip() == ("error: gunicorn.conf.py exists with other content; compare, "
                                         "or overwrite with: wolfpy dockerize --force")
        assert conf.read_text().endswith("# tuned by hand\n")
    finally:
        conf.write_text(original)


def test_workers_follow_the_cpus(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    conf: dict[str, Any] = runpy.run_path(str(project / "gunicorn.conf.py"))
    assert conf["workers"] == min(2 * len(os.sched_getaffinity(0)) + 1, 12)
    assert conf["worker_class"] == "uvicorn_worker.UvicornWorker" and conf["wsgi_app"] == "wolfpy.asgi:application"
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    assert runpy.run_path(str(project / "gunicorn.conf.py"))["workers"] == 3


def test_gunicorn_with_the_generated_config_serves_the_project(project: Path, tmp_path: Path) -> None:
    assert run_cli(["assets", "build"], cwd=project).returncode == 0
    port = free_port()
    env = server_env(hosts="shop.example", PORT=str(port), WEB_CONCURRENCY="2", GUNICORN_BIND=f"{HOST}:{port}")
    with open(tmp_path / "gunicorn.log", "wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"], cwd=project,
                                env=env, stdout=log, stderr=log, start_new_session=True)
        try:
            deadline = time.monotonic() + 20
            while True:
                try:
                    reply = get(port, "/_wolfpy/health")
                    break
                except OSError:
                    assert proc.poll() is None and time.monotonic() < deadline, \
                        (tmp_path / "gunicorn.log").read_text()
                    time.sleep(0.1)
            assert reply.status == 400          # 127.0.0.1 is not an allowed host in production
            # the Dockerfile's HEALTHCHECK command, run as Docker would (same environment)
            health = next(line for line in stages((project / "Dockerfile").read_text())[1]
                          if line.startswith("HEALTHCHECK "))
            probe = json.loads(health[health.index("CMD ") + 4:])
            assert probe[:2] == ["python", "-c"]
            assert subprocess.run([sys.executable, "-c", probe[2]], env=env, timeout=20).returncode == 0
            bad = subprocess.run([sys.executable, "-c", probe[2]], capture_output=True, timeout=20,
                                 env={**env, "WOLFPY_HEALTH_HOST": "evil.example"})
            assert bad.returncode != 0 and b"400" in bad.stderr
            conn = http.client.HTTPConnection(HOST, port, timeout=10)
            conn.request("GET", "/", headers={"Host": "shop.example"})
            page = conn.getresponse()
            body = page.read().decode()
            conn.close()
            assert page.status == 200 and "<title>" in body
            built = json.loads((project / "static/dist/manifest.json").read_text())["css/app.css"]
            assert get(port, f"/static/dist/{built}").status == 400   # the Host rule covers files too
            assert (tmp_path / "gunicorn.log").read_text().count("Booting worker") == 2   # WEB_CONCURRENCY
        finally:
            os.killpg(proc.pid, 15)
            proc.wait(10)
